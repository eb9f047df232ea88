/*
 * Each convolution of the small preset, timed as libnd4j's conv2d / conv2d_bp ops (what the product runs) and as
 * oneDNN 2.5 primitives called directly through the JavaCPP presets, created once and reused, with either plain
 * layouts (NCHW data, the product's [kH, kW, in, out] kernel) or the layouts oneDNN picks, reordered on every call.
 * An experiment for the speed issue, not part of the product: run.sh fetches the presets and runs it.
 * Arguments: plain | any. Prints the median ms of 15 calls per layer and the relative error against libnd4j.
 */
import org.bytedeco.dnnl.*;
import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.buffer.DataType;

public class ConvBench {
    static engine eng = new engine(engine.kind.cpu, 0);
    static stream st = new stream(eng);

    static memory.desc md(long[] dims, memory.format_tag tag) {
        return new memory.desc(dims, memory.data_type.f32, tag);
    }
    static memory wrap(memory.desc d, INDArray a) {
        return new memory(d, eng, a.data().addressPointer());
    }
    interface Run { void run(); }
    static double time(Run r, int n) {
        for (int i = 0; i < 3; i++) r.run();
        double[] t = new double[n];
        for (int i = 0; i < n; i++) { long s = System.nanoTime(); r.run(); t[i] = (System.nanoTime() - s) / 1e6; }
        java.util.Arrays.sort(t); return t[n / 2];
    }

    public static void main(String[] args) {
        boolean anyFmt = args.length > 0 && args[0].equals("any");
        // batch, in channels, side, out channels, kernel, stride, padding per side: G's five layers, then D's four
        long[][] shapes = {
            {20, 32, 16, 64, 5, 1, 2}, {20, 64, 16, 256, 2, 1, 1}, {20, 64, 32, 64, 5, 1, 2}, {20, 64, 32, 3, 7, 1, 3},
            {20, 3, 32, 64, 3, 1, 0}, {20, 64, 30, 64, 4, 2, 0}, {20, 64, 14, 64, 4, 2, 0}, {20, 64, 6, 64, 4, 2, 0}};
        for (long[] s : shapes) {
            long B = s[0], C = s[1], H = s[2], O = s[3], K = s[4], S = s[5], P = s[6];
            long OH = (H + 2 * P - K) / S + 1;
            INDArray x = Nd4j.rand(DataType.FLOAT, B, C, H, H), w = Nd4j.rand(DataType.FLOAT, K, K, C, O).subi(0.5), b = Nd4j.rand(DataType.FLOAT, O);
            INDArray y = Nd4j.create(DataType.FLOAT, B, O, OH, OH), dy = Nd4j.rand(DataType.FLOAT, B, O, OH, OH);
            INDArray dx = x.ulike(), dw = w.ulike(), db = b.ulike();
            int same = 0;
            Run f4 = () -> Nd4j.exec(DynamicCustomOp.builder("conv2d").addIntegerArguments((int) K, (int) K, (int) S, (int) S, (int) P, (int) P, 1, 1, same, 0, 0).addInputs(x, w, b).addOutputs(y).build());
            Run b4 = () -> Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addIntegerArguments((int) K, (int) K, (int) S, (int) S, (int) P, (int) P, 1, 1, same, 0, 0).addInputs(x, w, b, dy).addOutputs(dx, dw, db).build());
            double nf = time(f4, 15), nb = time(b4, 15);
            INDArray yRef = y.dup(), dxRef = dx.dup(), dwRef = dw.dup();
            long[] st1 = {S, S}, pad = {P, P};
            memory.format_tag any = memory.format_tag.any;
            memory.desc xPlain = md(new long[]{B, C, H, H}, memory.format_tag.nchw), yPlain = md(new long[]{B, O, OH, OH}, memory.format_tag.nchw);
            memory.desc wPlain = md(new long[]{O, C, K, K}, memory.format_tag.hwio), bPlain = md(new long[]{O}, memory.format_tag.x);
            memory.desc xd = anyFmt ? md(new long[]{B, C, H, H}, any) : xPlain, yd = anyFmt ? md(new long[]{B, O, OH, OH}, any) : yPlain;
            memory.desc wd = md(new long[]{O, C, K, K}, any);
            convolution_forward.primitive_desc fpd = new convolution_forward.primitive_desc(new convolution_forward.desc(dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct, xd, wd, bPlain, yd, st1, pad, pad), eng);
            convolution_backward_data.primitive_desc bdpd = new convolution_backward_data.primitive_desc(new convolution_backward_data.desc(dnnl.algorithm.convolution_direct, xd, wd, yd, st1, pad, pad), eng, fpd);
            convolution_backward_weights.primitive_desc bwpd = new convolution_backward_weights.primitive_desc(new convolution_backward_weights.desc(dnnl.algorithm.convolution_direct, xd, wd, bPlain, yd, st1, pad, pad), eng, fpd);
            convolution_forward fwd = new convolution_forward(fpd);
            convolution_backward_data bwdData = new convolution_backward_data(bdpd);
            convolution_backward_weights bwdW = new convolution_backward_weights(bwpd);
            memory xm = wrap(xPlain, x), wm = wrap(wPlain, w), bm = wrap(bPlain, b), ym = wrap(yPlain, y), dym = wrap(yPlain, dy), dxm = wrap(xPlain, dx), dwm = wrap(wPlain, dw), dbm = wrap(bPlain, db);
            // buffers in the primitives' own layouts, for the reorders
            memory xi = new memory(fpd.src_desc(), eng), wi = new memory(fpd.weights_desc(), eng), yi = new memory(fpd.dst_desc(), eng);
            memory wib = new memory(bdpd.weights_desc(), eng), dyib = new memory(bdpd.diff_dst_desc(), eng), dxib = new memory(bdpd.diff_src_desc(), eng);
            memory xiw = new memory(bwpd.src_desc(), eng), dyiw = new memory(bwpd.diff_dst_desc(), eng), dwiw = new memory(bwpd.diff_weights_desc(), eng);
            System.out.printf("  formats fwd src=%s w=%s dst=%s%n", !fpd.src_desc().equals(xPlain), !fpd.weights_desc().equals(wPlain), !fpd.dst_desc().equals(yPlain));
            Run fD = () -> {
                memory xs = reorderIf(xm, xi, xPlain, fpd.src_desc()), ws = reorderIf(wm, wi, wPlain, fpd.weights_desc());
                boolean yr = !fpd.dst_desc().equals(yPlain);
                fwd.execute(st, new IntMemoryMap().put(dnnl.DNNL_ARG_SRC, xs).put(dnnl.DNNL_ARG_WEIGHTS, ws).put(dnnl.DNNL_ARG_BIAS, bm).put(dnnl.DNNL_ARG_DST, yr ? yi : ym));
                if (yr) new reorder(yi, ym).execute(st, new IntMemoryMap().put(dnnl.DNNL_ARG_FROM, yi).put(dnnl.DNNL_ARG_TO, ym));
                st._wait();
            };
            Run bD = () -> {
                memory ws = reorderIf(wm, wib, wPlain, bdpd.weights_desc()), dys = reorderIf(dym, dyib, yPlain, bdpd.diff_dst_desc());
                boolean xr = !bdpd.diff_src_desc().equals(xPlain);
                bwdData.execute(st, new IntMemoryMap().put(dnnl.DNNL_ARG_WEIGHTS, ws).put(dnnl.DNNL_ARG_DIFF_DST, dys).put(dnnl.DNNL_ARG_DIFF_SRC, xr ? dxib : dxm));
                if (xr) new reorder(dxib, dxm).execute(st, new IntMemoryMap().put(dnnl.DNNL_ARG_FROM, dxib).put(dnnl.DNNL_ARG_TO, dxm));
                memory xs = reorderIf(xm, xiw, xPlain, bwpd.src_desc()), dys2 = reorderIf(dym, dyiw, yPlain, bwpd.diff_dst_desc());
                boolean wr = !bwpd.diff_weights_desc().equals(wPlain);
                bwdW.execute(st, new IntMemoryMap().put(dnnl.DNNL_ARG_SRC, xs).put(dnnl.DNNL_ARG_DIFF_DST, dys2).put(dnnl.DNNL_ARG_DIFF_WEIGHTS, wr ? dwiw : dwm).put(dnnl.DNNL_ARG_DIFF_BIAS, dbm));
                if (wr) new reorder(dwiw, dwm).execute(st, new IntMemoryMap().put(dnnl.DNNL_ARG_FROM, dwiw).put(dnnl.DNNL_ARG_TO, dwm));
                st._wait();
            };
            double df = time(fD, 15), db2 = time(bD, 15);
            double ey = y.sub(yRef).amaxNumber().doubleValue() / yRef.amaxNumber().doubleValue();
            double ex = dx.sub(dxRef).amaxNumber().doubleValue() / dxRef.amaxNumber().doubleValue();
            double ew = dw.sub(dwRef).amaxNumber().doubleValue() / dwRef.amaxNumber().doubleValue();
            System.out.printf("%dx%dx%d k%d s%d ->%d: nd4j fwd %.2f bwd %.2f | dnnl fwd %.2f bwd %.2f ms  (rel err %.1e %.1e %.1e)%n", C, H, H, K, S, O, nf, nb, df, db2, ey, ex, ew);
        }
    }
    static memory reorderIf(memory plain, memory internal, memory.desc plainDesc, memory.desc want) {
        if (want.equals(plainDesc)) return plain;
        new reorder(plain, internal).execute(ConvBench.st, new IntMemoryMap().put(dnnl.DNNL_ARG_FROM, plain).put(dnnl.DNNL_ARG_TO, internal));
        return internal;
    }
}

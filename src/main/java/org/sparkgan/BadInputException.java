package org.sparkgan;

/**
 * Input the user can fix (a malformed file, an unknown class, an existing output). Its message is the one line
 * the command prints; it is never wrapped in a stack trace for the user.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The user-facing cause of a failure, also when Spark wrapped it in a task failure on an executor;
     * null when the failure is not bad input.
     */
    public static BadInputException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BadInputException b) return b;
        }
        // A task failure whose exception did not travel back as a cause: Spark keeps its class and message.
        String marker = BadInputException.class.getName() + ": ";
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            int at = m == null ? -1 : m.indexOf(marker);
            if (at >= 0) {
                String rest = m.substring(at + marker.length());
                int nl = rest.indexOf('\n');
                return new BadInputException(nl < 0 ? rest : rest.substring(0, nl));
            }
        }
        return null;
    }
}

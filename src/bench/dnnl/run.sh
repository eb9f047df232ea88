#!/usr/bin/env bash
# Runs ConvBench (see its header) against the application's classpath: submit-scripts/local.sh must have built it.
#   src/bench/dnnl/run.sh plain|any
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../../.."
repo="$(cd "$root" && mvn -q help:evaluate -Dexpression=settings.localRepository -DforceStdout)"
jars=""
for a in dnnl:2.5.2-1.5.7 opencl:3.0-1.5.7; do
  name="${a%%:*}" version="${a#*:}"
  for classifier in "" ":jar:linux-x86_64"; do
    mvn -q dependency:get -Dartifact="org.bytedeco:$name:$version$classifier" -Dtransitive=false
  done
  dir="$repo/org/bytedeco/$name/$version"
  jars="$jars:$dir/$name-$version.jar:$dir/$name-$version-linux-x86_64.jar"
done
out="$(mktemp -d)"
cp="$(cat "$root/target/classpath.txt")$jars"
javac -d "$out" -cp "$cp" "$here/ConvBench.java"
java @"$root/conf/java17.args" -cp "$out:$cp" ConvBench "${1:-any}" 2>&1 | grep -E 'ms|formats'

#!/bin/sh
# procstorm N — a busybox shell script that starts many processes, in the ways shell
# scripts do: fork+exec of a program, command substitution, pipelines, subshells,
# background jobs. About 7 processes per round (some busybox applets run as
# fork-without-exec). Prints "wl ev=begin|end mode=sh" lines like the workload program.
n=${1:-100}
i=0
read up idle </proc/uptime
echo "wl ev=begin mode=sh n=$n pid=$$ up=$up"
while [ $i -lt $n ]; do
    /bin/workload child                     # fork + exec of a non-busybox program
    x=$(cat /proc/self/stat)                # command substitution
    echo "$i $x" | cat >/dev/null           # a pipeline: two processes
    ( : )                                   # a subshell: fork only
    sleep 0 & wait                          # a background job
    expr $i + 1 >/dev/null                  # another applet
    i=$((i + 1))
done
read up2 idle </proc/uptime
echo "wl ev=end mode=sh n=$n ok=$n fail=0 up=$up2"

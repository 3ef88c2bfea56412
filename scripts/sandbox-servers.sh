#!/usr/bin/env bash
# Prints the pids of running sandbox servers (mysqld/mariadbd whose data lives in an oschange-* dir).
for d in /proc/[0-9]*; do
  # A process can end between the glob and the read: the redirection's error is silenced too.
  cmd=$({ tr '\0' ' ' < "$d/cmdline"; } 2>/dev/null) || continue
  case "$cmd" in
    *mysqld*oschange-*|*mariadbd*oschange-*) case "$cmd" in sh\ -c*) ;; *) echo "${d#/proc/}" ;; esac ;;
  esac
done | sort -n

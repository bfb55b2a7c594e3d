#!/usr/bin/env bash
# Builds the git fixtures the tests and the benchmark use.
#   make-repo.sh DIR             a small repository: 3 commits on main (one with a 256 KiB random
#                                file, so a full bundle is much larger than an incremental one),
#                                a nested file, an annotated tag v1 and a branch "feature"
#   make-repo.sh --more DIR      adds 2 commits to main and a lightweight tag v2
#   make-repo.sh --dotgit DIR    a repository whose only commit has a tree entry ".GIT/config"
#                                (as an attack on case-insensitive file systems would), built with
#                                git mktree because git add refuses it
#   make-repo.sh --commits N DIR a bare repository with N commits (git fast-import), for benchmarks
set -euo pipefail
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Fixture GIT_AUTHOR_EMAIL=fixture@example.invalid
export GIT_COMMITTER_NAME=Fixture GIT_COMMITTER_EMAIL=fixture@example.invalid
export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'

mode=small
case "${1:-}" in --more|--dotgit) mode="${1#--}"; shift ;; --commits) mode=commits; count="$2"; shift 2 ;; esac
dir="$1"

case "$mode" in
small)
  git init -q -b main "$dir"
  cd "$dir"
  echo "hello" > README.md
  git add README.md && git commit -q -m "first"
  head -c 262144 /dev/urandom > data.bin
  mkdir -p src/pkg && echo "print('hi')" > src/pkg/main.py
  git add . && git commit -q -m "second: data and code"
  echo "more" >> README.md && git commit -q -am "third"
  git tag -a v1 -m "release 1"
  git branch feature HEAD~1
  ;;
more)
  cd "$dir"
  echo "four" > four.txt && git add four.txt && git commit -q -m "fourth"
  echo "five" >> four.txt && git commit -q -am "fifth"
  git tag v2
  ;;
dotgit)
  git init -q -b main "$dir"
  cd "$dir"
  blob=$(printf '[core]\n\tfsmonitor = "echo pwned"\n' | git hash-object -w --stdin)
  sub=$(printf '100644 blob %s\tconfig\n' "$blob" | git mktree)
  readme=$(echo "innocent" | git hash-object -w --stdin)
  root=$(printf '040000 tree %s\t.GIT\n100644 blob %s\tREADME.md\n' "$sub" "$readme" | git mktree)
  commit=$(git commit-tree "$root" -m "crafted")
  git update-ref refs/heads/main "$commit"
  ;;
commits)
  git init -q --bare -b main "$dir"
  # One file per commit changing a counter file plus one new small file every 10 commits:
  # a long linear history like a real project's, generated in seconds.
  awk -v n="$count" 'BEGIN {
    for (i = 1; i <= n; i++) {
      printf "commit refs/heads/main\nmark :%d\ncommitter Fixture <fixture@example.invalid> %d +0000\n", i, 1767225600 + i
      msg = "commit " i; printf "data %d\n%s\n", length(msg), msg
      if (i > 1) printf "from :%d\n", i - 1
      body = "counter " i "\n"; printf "M 100644 inline counter.txt\ndata %d\n%s\n", length(body), body
      if (i % 10 == 0) { f = "src/file" i ".txt"; c = "content of file " i "\n"; printf "M 100644 inline %s\ndata %d\n%s\n", f, length(c), c }
    }
  }' | git -C "$dir" fast-import --quiet
  git -C "$dir" repack -adq
  ;;
esac

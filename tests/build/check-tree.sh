#!/bin/sh
# SPDX-License-Identifier: MIT
# check-tree.sh (make test-tree): the repository stands alone, as a fresh
# clone does.
#
# - No file names a path outside the repository: a relative path that
#   climbs out of it or leads nowhere (`../x`), a home or work folder, a
#   Markdown document that is not here, or the developers' own notes.
# - Every relative link of the Markdown documents leads to a file here.
# - Every `make ...` command that README.md and docs/ quote is one the
#   Makefile knows (make -n), with <name> standing for an example.
# - Every source, script and build file starts with its SPDX line.
# The file lists are words: splitting them is meant.
# shellcheck disable=SC2086,SC2046
set -u
root=$(pwd)
status=0
bad() {
    echo "check-tree: $*" >&2
    status=1
}

# The files of the tree: git's list (untracked ones too), else all of it.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files --cached --others --exclude-standard | sort -u)
else
    files=$(find . -type f ! -path './build/*' ! -path './.git/*' | sed 's|^\./||' | sort)
fi
files=$(for f in $files; do [ -f "$f" ] && echo "$f"; done)
text=$(for f in $files; do case $f in *.png) ;; *) echo "$f" ;; esac; done)
self=tests/build/check-tree.sh

# exists_from DIR PATH: PATH (relative to DIR, or to the root) is here.
exists_from() {
    for base in "$1" .; do
        [ -e "$base/$2" ] || continue
        case $(cd "$base" && cd "$(dirname "$2")" 2>/dev/null && pwd) in
        "$root" | "$root"/*) return 0 ;;
        esac
    done
    return 1
}

# Names of places outside.
for f in $text; do
    [ "$f" = "$self" ] && continue
    dir=$(dirname "$f")
    for p in $(grep -oE '(\.\./)+[A-Za-z0-9_.-][A-Za-z0-9_./-]*' "$f" | sort -u); do
        exists_from "$dir" "$p" || bad "$f names $p, which is not in the repository"
    done
    for p in $(grep -oE '[A-Za-z0-9_./-]+\.md\b' "$f" | sort -u); do
        exists_from "$dir" "$p" || printf '%s\n' $files | grep -qF "/$p" ||
            printf '%s\n' $files | grep -qxF "$p" ||
            bad "$f names $p, which is not in the repository"
    done
    hits=$(grep -nE '(^|[^A-Za-z0-9_.$-])/(work|home|Users|shared)/' "$f" | cut -d: -f1)
    [ -z "$hits" ] || bad "$f, line" $hits": names a folder outside the repository"
    hits=$(grep -niw '[b]rief' "$f" | cut -d: -f1)
    [ -z "$hits" ] || bad "$f, line" $hits": names notes that are not in the repository"
done

# Links of the Markdown documents.
for f in $(printf '%s\n' $text | grep '\.md$'); do
    dir=$(dirname "$f")
    for link in $(grep -oE '\]\([^)]+\)' "$f" | sed -e 's/^](//' -e 's/)$//' -e 's/#.*//' | sort -u); do
        case $link in http://* | https://* | mailto:* | "") continue ;; esac
        [ -e "$dir/$link" ] || bad "$f links to $link, which does not exist"
    done
done

# The make commands the documents quote: in `...`, or indented, or in a
# fenced block; a comment or a second command after them is dropped.
example=$(ls docs/examples/*.c | head -n 1 | sed 's|.*/||; s|\.c$||')
quoted=$(mktemp)
trap 'rm -f "$quoted"' EXIT
for f in README.md $(printf '%s\n' $text | grep '^docs/.*\.md$'); do
    perl -0777 -ne '
        while (/`(make(?:\s[^`]*)?)`/g) { ($c = $1) =~ s/\s+/ /g; print "$c\n" }
        while (/^(?: {4,}|\t)(make(?: [^#\n]*)?)/mg) { print "$1\n" }
        while (/^```[^\n]*\n(.*?)^```/msg) {
            for (split /\n/, $1) { print "$1\n" if /^\s*(make(?: [^#]*)?)/ }
        }' "$f" |
    sed -e 's/ *\(&&\|;\|#\).*//' -e 's/ *$//' -e "s/<name>/$example/g" -e "s|^|$f |"
done | sort -u >"$quoted"
# make -n runs nothing but the recursive makes.  A command with a $ is not
# read: eval would run what it substitutes.
while read -r f cmd; do
    case $cmd in *'$'* | *'`'*) continue ;; esac
    eval "set -- ${cmd#make}"
    make -n --no-print-directory "$@" >/dev/null 2>&1 </dev/null ||
        bad "$f quotes \`$cmd\`, which make cannot run (make -n fails)"
done <"$quoted"

# SPDX lines.
for f in $files; do
    case $f in *.md | *.png | *.svg | *.json | LICENSE) continue ;; esac
    head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || bad "$f has no SPDX line at its top"
done

[ $status -eq 0 ] && echo "tree: no path outside the repository, every link and quoted make command" \
                         "works, every source has its SPDX line"
exit $status

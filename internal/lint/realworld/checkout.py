#!/usr/bin/env python3
"""Writes the tree of one commit of a bare git dir into a folder. The `fetch` tool's mirrors may
lack their largest blobs; those files are listed on stderr and left out (symlinks are kept as
symlinks). Usage: checkout.py GIT_DIR COMMIT DEST"""
import os, subprocess, sys

git_dir, commit, dest = sys.argv[1:4]
tree = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", commit],
                      check=True, capture_output=True).stdout
entries = []
for rec in tree.split(b"\0"):
    if not rec:
        continue
    meta, path = rec.split(b"\t", 1)
    mode, typ, oid = meta.split()
    if typ == b"blob":
        entries.append((mode, oid, path.decode()))
cat = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
missing = 0
for mode, oid, path in entries:
    cat.stdin.write(oid + b"\n"); cat.stdin.flush()
    header = cat.stdout.readline().split()
    if header[-1] == b"missing":
        missing += 1
        continue
    data = cat.stdout.read(int(header[2])); cat.stdout.read(1)
    full = os.path.join(dest, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    if mode == b"120000":
        os.symlink(data.decode(), full)
    else:
        with open(full, "wb") as f:
            f.write(data)
        if mode == b"100755":
            os.chmod(full, 0o755)
cat.stdin.close(); cat.wait()
if missing:
    print(f"{git_dir}: {missing} blob(s) absent from the mirror, left out", file=sys.stderr)

#!/usr/bin/env python3
"""Executes the SQL examples in the docs and compares their output.

In a Markdown page, a ```sql block immediately followed by an ```output block is an
executed example: the SQL runs with psql (unaligned? no: psql's default aligned format,
as an analyst would see it) in a fresh database with the extension created, and its
output must equal the block. Pages are independent; examples within a page share a
database, in order, so a page can create a table and query it later.
"""
import os
import re
import subprocess
import sys

BLOCK = re.compile(r"```sql\n(.*?)```\s*\n```output\n(.*?)```", re.S)


def psql(db, sql):
    r = subprocess.run(
        ["psql", "-X", "-q", "-d", db, "-v", "ON_ERROR_STOP=1", "-P", "footer=off"],
        input=sql, capture_output=True, text=True,
    )
    return r.returncode, (r.stdout + r.stderr)


def normalize(text):
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def main(paths, accept=False):
    """Runs every example; with accept, writes each example's actual output into its
    ```output block (check the diff before committing it)."""
    failures = examples = 0
    for path in paths:
        text = open(path, encoding="utf-8").read()
        blocks = BLOCK.findall(text)
        if not blocks:
            continue
        actual = []
        db = "doctest_" + re.sub(r"\W", "_", os.path.basename(path)[:-3])
        psql("postgres", f"DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db};")
        psql(db, "CREATE EXTENSION pg_operations;")
        for sql, expected in blocks:
            examples += 1
            code, out = psql(db, sql)
            actual.append(normalize(out))
            if code != 0 or normalize(out) != normalize(expected):
                failures += 1
                print(f"--- {path}: example failed\n{sql}\n--- expected\n{expected}\n--- got\n{out}")
        psql("postgres", f"DROP DATABASE IF EXISTS {db};")
        if accept:
            outputs = iter(actual)
            text = BLOCK.sub(lambda m: "```sql\n%s```\n```output\n%s\n```" % (m.group(1), next(outputs)), text)
            open(path, "w", encoding="utf-8").write(text)
    print(f"docs: {examples - failures} of {examples} examples match")
    return failures == 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sys.exit(0 if main(args, accept="--accept" in sys.argv) else 1)

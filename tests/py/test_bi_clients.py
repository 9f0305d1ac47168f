#!/usr/bin/env python3
"""BI clients: every query of docs/recipes.md through the client stacks BI tools use.

- Stack 1, pgJDBC (Metabase, DataGrip, DBeaver; /usr/share/java/postgresql.jar): the small
  program tests/java/RunQueries.java, compiled here with javac into a temporary directory,
  reports ResultSetMetaData.getColumnTypeName and getString of every column.
- Stack 2, SQLAlchemy + psycopg 3 (Superset): engine.connect().execute(text(query)), with the
  type OIDs of cursor.description.

pgJDBC cannot use a Unix socket without extra jars, so this test starts its OWN throwaway
cluster (scripts/lib.sh: PG_LISTEN=127.0.0.1 PG_PRELOAD=pg_cron pg_start bi 55471, socket
in /tmp/pg_operations-bi, also listening on 127.0.0.1 only; BI_NAME and BI_PORT override the
name and port, e.g. for two runs at the same time) and stops it at the end; the cluster named
by PGHOST/PGPORT (tests/regress.sh's) is not used.

The recipes (every ```sql and ```pgsql block of docs/recipes.md, in order) run in a database
`analytics` with the extension (a block starting with `-- in the postgres database` runs in
`postgres`, where pg_cron lives; its jobs then target `analytics`, as the recipe says). In a
block, every statement but the last is setup, run once with psql; the last one is the query.
The block's SET/RESET statements are session settings and are repeated, in a fresh session,
before the query in every client. For every query:
  (a) through both stacks, every result column has a plain type: integer, bigint, smallint,
      numeric, double precision, real, text, varchar, boolean, date, timestamptz, timestamp
      (no composite, array, jsonb, interval, name, unknown ...): a BI tool can chart it;
  (b) both stacks return the column names and values psql returns (psql's text output,
      normalised per type: t/true, float shortest repr, timestamps as instants ...).
A control query with known plain and non-plain columns first checks that both stacks tell
them apart (so that (a) cannot pass vacuously). A stack whose client is missing (no JDK or
pgJDBC jar; SQLAlchemy or psycopg not importable) is reported SKIPPED, and the test exits 0
when nothing failed.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import harness  # tests/py/harness.py: check bookkeeping and the closing line
from harness import check

REPO = Path(__file__).resolve().parents[2]
RECIPES = REPO / "docs" / "recipes.md"
JAVA_SRC = REPO / "tests" / "java" / "RunQueries.java"
JAR = Path("/usr/share/java/postgresql.jar")
CLUSTER = os.environ.get("BI_NAME", "bi")  # BI_NAME/BI_PORT: for runs side by side
PORT = int(os.environ.get("BI_PORT", "55471"))
HOST = "127.0.0.1"  # the only network address the cluster listens on
DB = "analytics"
NULL = "\x02NULL\x03"  # psql's rendering of NULL (no recipe value looks like this)

# Plain types: pg_type OID -> (category, name as pgJDBC's getColumnTypeName reports it).
PLAIN = {
    23: ("int", "int4"), 20: ("int", "int8"), 21: ("int", "int2"),
    1700: ("numeric", "numeric"), 701: ("float8", "float8"), 700: ("float4", "float4"),
    25: ("text", "text"), 1043: ("text", "varchar"), 16: ("bool", "bool"),
    1082: ("date", "date"), 1184: ("timestamptz", "timestamptz"), 1114: ("timestamp", "timestamp"),
}
JDBC_PLAIN = {name: cat for cat, name in PLAIN.values()}
# pgJDBC names an integer column with a nextval() default serial/bigserial/smallserial.
JDBC_PLAIN.update(serial="int", bigserial="int", smallserial="int")

# The control query: which columns are plain is known.
CONTROL = """SELECT 1::int AS i4, 2::bigint AS i8, 3::smallint AS i2, 1.50::numeric AS num,
       0.1::float8 AS f8, 0.1::real AS f4, 'x'::text AS t, 'y'::varchar(5) AS v, true AS b,
       date '2026-01-02' AS d, timestamptz '2026-01-02 03:04:05.678+00' AS tz,
       timestamp '2026-01-02 03:04:05' AS ts, NULL::int AS n, '语'::text AS u,
       ARRAY[1] AS arr, ROW(1, 'x') AS rec, '{"a": 1}'::jsonb AS j, interval '1 day' AS iv,
       'x'::name AS nm"""
CONTROL_NOT_PLAIN = {"arr", "rec", "j", "iv", "nm"}


# ---------------------------------------------------------------------------- the cluster

def lib_sh(script, *args):
    """Runs `script` in bash after sourcing scripts/lib.sh; returns stdout, raises on failure."""
    r = subprocess.run(["bash", "-c", "source scripts/lib.sh && " + script, "bash", *map(str, args)],
                       cwd=REPO, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s%s" % (script, r.stdout, r.stderr))
    return r.stdout.strip()


def start_cluster():
    out = lib_sh('PG_LISTEN=127.0.0.1 PG_PRELOAD=pg_cron pg_start "$1" "$2" && echo "$PGHOST"',
                 CLUSTER, PORT)
    # psql (harness.psql and psql_table below) talks to this cluster through its socket.
    os.environ.update(PGHOST=out.splitlines()[-1], PGPORT=str(PORT), PGUSER="postgres",
                      PGDATABASE="postgres", PGCLIENTENCODING="UTF8")


def stop_cluster():
    lib_sh('pg_stop "$1" quiet', CLUSTER)


def psql_table(db, statements):
    """Runs the statements in one psql session; returns (column names, rows) of the last one,
    values as psql prints them (unaligned), None for NULL."""
    sql = "".join(s + ";\n" for s in statements)
    r = subprocess.run(
        ["psql", "-X", "-q", "-A", "-F", "\x1f", "-R", "\x1e", "-P", "footer=off",
         "-P", "null=" + NULL, "-d", db, "-v", "ON_ERROR_STOP=1"],
        input=sql, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("psql: " + r.stderr.strip())
    records = r.stdout[:-1].split("\x1e") if r.stdout.endswith("\n") else r.stdout.split("\x1e")
    names = records[0].split("\x1f")
    rows = [[None if v == NULL else v for v in rec.split("\x1f")] for rec in records[1:]]
    return names, rows


# ------------------------------------------------------------------------ the recipes

def split_sql(sql):
    """Splits SQL text into statements at top-level semicolons (quotes, quoted identifiers,
    dollar quotes respected); comments are dropped."""
    stmts, cur, i, n = [], [], 0, len(sql)
    while i < n:
        c = sql[i]
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
            cur.append(" ")
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
            cur.append(" ")
        elif c in "'\"":
            j = i + 1
            while True:
                k = sql.find(c, j)
                if k < 0:
                    k = n - 1
                    break
                if sql.startswith(c * 2, k):
                    j = k + 2
                    continue
                break
            cur.append(sql[i:k + 1])
            i = k + 1
        elif c == "$" and re.match(r"\$([A-Za-z_]\w*)?\$", sql[i:]) \
                and not (i and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            tag = re.match(r"\$([A-Za-z_]\w*)?\$", sql[i:]).group(0)
            k = sql.find(tag, i + len(tag))
            k = n if k < 0 else k + len(tag)
            cur.append(sql[i:k])
            i = k
        elif c == ";":
            s = "".join(cur).strip()
            if s:
                stmts.append(s)
            cur = []
            i += 1
        else:
            cur.append(c)
            i += 1
    s = "".join(cur).strip()
    if s:
        stmts.append(s)
    return stmts


def keyword(stmt):
    return stmt.split(None, 1)[0].upper()


def recipe_blocks():
    """[(label, database, statements)] for the ```sql and ```pgsql blocks, in order."""
    text = RECIPES.read_text(encoding="utf-8")
    headings = [(m.start(), m.group(1).strip()) for m in re.finditer(r"^#+ (.*)$", text, re.M)]
    blocks = []
    for n, m in enumerate(re.finditer(r"^```(sql|pgsql)\n(.*?)^```", text, re.M | re.S), 1):
        body = m.group(2)
        heading = [h for pos, h in headings if pos < m.start()][-1]
        line = text.count("\n", 0, m.start()) + 1
        dbm = re.search(r"^--\s*in the (\w+) database", body, re.M)
        label = "block %d (%s line %d, %s, %s)" % (n, RECIPES.name, line, m.group(1), heading)
        blocks.append((label, dbm.group(1) if dbm else DB, split_sql(body)))
    return blocks


# ----------------------------------------------------------------- values, normalised

def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def norm_text(cat, s):
    """A value as psql or pgJDBC prints it -> canonical string for category `cat`."""
    if s is None:
        return None
    if cat == "int":
        return str(int(s))
    if cat == "float8":
        return repr(float(s))
    if cat == "float4":
        return repr(f32(float(s)))
    if cat == "bool":
        return {"t": "t", "true": "t", "f": "f", "false": "f"}[s.lower()]
    if cat == "timestamptz":
        return datetime.fromisoformat(s).astimezone(timezone.utc).isoformat()
    if cat == "timestamp":
        return datetime.fromisoformat(s).isoformat()
    return s  # numeric (exact text with its scale), text, date (ISO)


def norm_python(cat, v):
    """A value as psycopg returns it -> canonical string for category `cat`."""
    if v is None:
        return None
    if cat == "int":
        return str(int(v))
    if cat == "numeric":
        return format(Decimal(v), "f")
    if cat == "float8":
        return repr(float(v))
    if cat == "float4":
        return repr(f32(float(v)))
    if cat == "bool":
        return "t" if v else "f"
    if cat == "timestamptz":
        return v.astimezone(timezone.utc).isoformat()
    if cat in ("timestamp", "date"):
        return v.isoformat()
    return str(v)


def compare(stack, query, ref, names, cats, rows, norm):
    """(ok, message): names equal psql's and, for the plain columns, the values."""
    ref_names, ref_rows = ref
    if names != ref_names:
        return False, "%s column names %s, psql %s" % (stack, names, ref_names)
    if len(rows) != len(ref_rows):
        return False, "%s returned %d rows, psql %d" % (stack, len(rows), len(ref_rows))
    plain = [i for i, c in enumerate(cats) if c]
    got = [tuple(norm(cats[i], r[i]) for i in plain) for r in rows]
    want = [tuple(norm_text(cats[i], r[i]) for i in plain) for r in ref_rows]
    if not re.search(r"\border\s+by\b", query, re.I):  # no order promised: compare as multisets
        key = lambda t: [(x is None, x or "") for x in t]  # noqa: E731
        got, want = sorted(got, key=key), sorted(want, key=key)
    for k, (g, w) in enumerate(zip(got, want)):
        if g != w:
            diff = ["%s: %r (psql %r)" % (names[plain[i]], g[i], w[i])
                    for i in range(len(plain)) if g[i] != w[i]]
            return False, "%s row %d differs: %s" % (stack, k + 1, "; ".join(diff)[:300])
    return True, "%d rows, %d of %d columns compared" % (len(rows), len(plain), len(names))


# ---------------------------------------------------------------------------- stack 1

class Jdbc:
    name = "pgJDBC"

    def __init__(self, tmp):
        missing = [t for t in ("javac", "java") if not shutil.which(t)]
        if missing or not JAR.exists():
            self.skipped = "no %s" % " or ".join(missing + ([] if JAR.exists() else [str(JAR)]))
            return
        self.skipped = None
        self.tmp = tmp
        r = subprocess.run(["javac", "-encoding", "UTF-8", "-cp", str(JAR), "-d", tmp, str(JAVA_SRC)],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("javac failed: " + r.stderr)
        # pgJDBC sets the session TimeZone to the JVM's: make it the server's default, as psql has it.
        self.tz = harness.psql("SHOW TimeZone")

    def run(self, db, statements):
        """(names, type names, categories (None: not plain), rows of getString) of the last
        statement, or raises."""
        path = os.path.join(self.tmp, "queries.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\x1f".join([db] + statements))
        r = subprocess.run(
            ["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.timezone=" + self.tz,
             "-cp", os.pathsep.join([self.tmp, str(JAR)]), "RunQueries",
             "jdbc:postgresql://%s:%d/" % (HOST, PORT), "postgres", path],
            capture_output=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError("java failed: " + r.stderr.decode("utf-8", "replace"))
        out = json.loads(r.stdout.decode("utf-8").splitlines()[0])
        if out["error"]:
            raise RuntimeError(out["error"])
        cols = out["columns"]
        types = [c["type"] for c in cols]
        return [c["name"] for c in cols], types, [JDBC_PLAIN.get(t) for t in types], out["rows"]

    norm = staticmethod(norm_text)


# ---------------------------------------------------------------------------- stack 2

class Alchemy:
    name = "SQLAlchemy+psycopg"

    def __init__(self):
        try:
            import psycopg  # noqa: F401
            import sqlalchemy
            from sqlalchemy.pool import NullPool
        except ImportError as e:
            self.skipped = "cannot import %s" % e.name
            return
        self.skipped = None
        self.sa, self.nullpool, self.engines = sqlalchemy, NullPool, {}
        self.type_names = {}

    def engine(self, db):
        if db not in self.engines:
            # NullPool: every query gets a fresh session (no SET leaks from one recipe to the next).
            self.engines[db] = self.sa.create_engine(
                "postgresql+psycopg://postgres@%s:%d/%s" % (HOST, PORT, db), poolclass=self.nullpool)
        return self.engines[db]

    def type_name(self, oid):
        if oid not in self.type_names:
            self.type_names[oid] = harness.psql("SELECT format_type(%d, NULL)" % oid)
        return self.type_names[oid]

    def run(self, db, statements):
        """(names, type names, categories (None: not plain), rows of Python values) of the
        last statement, or raises."""
        with self.engine(db).connect() as conn:
            for s in statements[:-1]:
                conn.execute(self.sa.text(s))
            res = conn.execute(self.sa.text(statements[-1]))
            desc = res.cursor.description
            rows = [list(r) for r in res.fetchall()]
            conn.rollback()
        oids = [d.type_code for d in desc]
        types = ["%s (oid %d)" % (self.type_name(o), o) for o in oids]
        return [d.name for d in desc], types, [PLAIN[o][0] if o in PLAIN else None for o in oids], rows

    norm = staticmethod(norm_python)


# ------------------------------------------------------------------------------ main

def check_stack(label, st, db, statements, ref, not_plain=()):
    """Runs the query through stack `st`: (a) only the columns named in `not_plain` (none for a
    recipe) have a type that is not plain, (b) names and plain values equal psql's `ref`."""
    names, types, cats, rows = st.run(db, statements)
    bad = ["%s: %s" % (n, t) for n, t, c in zip(names, types, cats) if not c]
    if not_plain:
        flagged = {n for n, c in zip(names, cats) if not c}
        check(flagged == set(not_plain), "%s: %s flags exactly %s as not plain (%s)"
              % (label, st.name, ", ".join(sorted(not_plain)), "; ".join(bad)))
    else:
        check(not bad, "%s: %s column types plain%s"
              % (label, st.name, " -- NOT PLAIN: " + ", ".join(bad) if bad else ""))
    ok, msg = compare(st.name, statements[-1], ref, names, cats, rows, st.norm)
    check(ok, "%s: %s values equal psql's (%s)" % (label, st.name, msg))


def main():
    with tempfile.TemporaryDirectory(prefix="pg_operations-bi-") as tmp:
        start_cluster()
        try:
            stacks = []
            for st in (Jdbc(tmp), Alchemy()):
                if st.skipped:
                    print("  SKIPPED %s stack: %s" % (st.name, st.skipped))
                else:
                    stacks.append(st)
            if not stacks:
                return
            ref = psql_table("postgres", [CONTROL])  # first: the checks can tell the types apart
            for st in stacks:
                check_stack("control query", st, "postgres", [CONTROL], ref, CONTROL_NOT_PLAIN)
            harness.psql("CREATE DATABASE %s;" % DB)
            harness.psql("CREATE EXTENSION pg_operations;", db=DB)
            queries = 0
            for label, db, stmts in recipe_blocks():
                final = stmts[-1]
                if keyword(final) not in ("SELECT", "WITH", "VALUES", "TABLE"):
                    harness.psql(";\n".join(stmts) + ";", db=db)
                    print("  --   %s: no query (setup only)" % label)
                    continue
                queries += 1
                setup = stmts[:-1]
                session = [s for s in setup if keyword(s) in ("SET", "RESET")]
                try:
                    if setup:
                        harness.psql("".join(s + ";\n" for s in setup), db=db)
                    ref = psql_table(db, session + [final])
                except RuntimeError as e:
                    check(False, "%s: runs in psql: %s" % (label, e))
                    continue
                check(True, "%s: runs in psql (%d rows)" % (label, len(ref[1])))
                for st in stacks:
                    try:
                        check_stack(label, st, db, session + [final], ref)
                    except Exception as e:  # noqa: BLE001 - a client error fails this recipe only
                        check(False, "%s: %s runs it: %s: %s" % (label, st.name, type(e).__name__, str(e)[:400]))
            check(queries >= 10, "docs/recipes.md has its queries (%d found)" % queries)
        finally:
            stop_cluster()


if __name__ == "__main__":
    harness.run("bi_clients", main)

"""scripts/check-imports.sh fails on each kind of forbidden use, and passes on the real tree.

Each case copies the repository's Sources and scripts to a temporary folder, adds one bad line
and runs the real script there (as `make test` runs it on the repository).
"""
import pathlib
import shutil
import subprocess
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]


class ImportCheckTests(unittest.TestCase):
    def setUp(self):
        self.tree = pathlib.Path(tempfile.mkdtemp(prefix="otto-import-check-"))
        self.addCleanup(shutil.rmtree, self.tree)
        shutil.copytree(ROOT / "Sources", self.tree / "Sources")
        shutil.copytree(ROOT / "scripts", self.tree / "scripts")

    def run_check(self):
        return subprocess.run(
            [str(self.tree / "scripts" / "check-imports.sh"), str(self.tree)],
            capture_output=True, text=True, timeout=120,
        )

    def add(self, relative, text):
        path = self.tree / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def assert_refused(self, relative, text, phrase):
        self.add(relative, text)
        result = self.run_check()
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(relative, result.stderr)
        self.assertIn(phrase, result.stderr)

    def test_the_repository_passes(self):
        result = self.run_check()
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_comments_and_plain_text_are_not_code(self):
        self.add(
            "Sources/OttoAPI/Bad.swift",
            '// import OttoPostgres; SELECT 1 FROM x; redis.call(\'GET\', KEYS[1])\n'
            '/* INSERT INTO t VALUES (1) */\nlet detail = "Select a tenant; delete from the list."\n',
        )
        result = self.run_check()
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_api_importing_the_postgres_library(self):
        self.assert_refused("Sources/OttoAPI/Bad.swift", "import OttoPostgres\n", "OttoAPI imports OttoPostgres")

    def test_api_importing_the_redis_library_by_an_access_level(self):
        self.assert_refused("Sources/OttoAPI/Bad.swift", "internal import OttoRedis\n", "OttoAPI imports OttoRedis")

    def test_api_importing_a_c_module(self):
        self.assert_refused("Sources/OttoAPI/Bad.swift", "@preconcurrency import CLibPQ\n", "OttoAPI imports CLibPQ")
        self.assert_refused("Sources/OttoAPI/Bad2.swift", "import struct CHiredis.redisReader\n", "imports CHiredis")

    def test_api_holding_sql(self):
        self.assert_refused(
            "Sources/OttoAPI/Bad.swift",
            'let sql = """\n    SELECT id FROM calls\n    WHERE tenant_id = $1\n    """\n',
            "SQL in a string literal",
        )

    def test_api_holding_sql_inside_an_interpolation(self):
        self.assert_refused(
            "Sources/OttoAPI/Bad.swift",
            'let text = "\\(flag ? "DELETE FROM calls" : "")"\n',
            "SQL in a string literal",
        )

    def test_api_matching_a_sqlstate(self):
        self.assert_refused(
            "Sources/OttoAPI/Bad.swift",
            'func f(_ e: E) -> Bool { e.sqlState == "23505" }\n',
            "SQLSTATE",
        )

    def test_api_holding_lua(self):
        self.assert_refused(
            "Sources/OttoAPI/Bad.swift",
            "let script = RedisScript(\"return redis.call('GET', KEYS[1])\")\n",
            "Lua script",
        )

    def test_leaf_libraries_importing_an_otto_target(self):
        self.assert_refused("Sources/OttoPostgres/Bad.swift", "import OttoCore\n", "OttoPostgres imports OttoCore")
        self.assert_refused("Sources/OttoRedis/Bad.swift", "@testable import OttoPostgres\n", "OttoRedis imports OttoPostgres")

    def test_support_importing_an_otto_target(self):
        self.assert_refused("Sources/OttoSupport/Bad.swift", "import OttoRedis\n", "OttoSupport imports OttoRedis")

    def test_the_task_system_importing_postgres_or_the_domain(self):
        self.assert_refused("Sources/OttoTasks/Bad.swift", "import OttoPostgres\n", "OttoTasks imports OttoPostgres")
        self.assert_refused("Sources/OttoTasks/Bad2.swift", "import OttoCalls\n", "OttoTasks imports OttoCalls")

    def test_the_domain_importing_the_composition(self):
        self.assert_refused("Sources/OttoCalls/Bad.swift", "import OttoCore\n", "OttoCalls imports OttoCore")

    def test_sql_outside_the_domain(self):
        self.assert_refused(
            "Sources/OttoCore/Bad.swift",
            'let q = "DELETE FROM calls WHERE id = $1"\n',
            "OttoCore holds SQL in a string literal",
        )
        self.assert_refused(
            "Sources/OttoTasks/Bad2.swift", 'let code = "23505"\n', "OttoTasks holds a SQLSTATE code"
        )

    def test_sql_in_the_domain_passes(self):
        self.add("Sources/OttoCalls/Fine.swift", 'let q = "DELETE FROM calls WHERE id = $1"\n')
        result = self.run_check()
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_worker_importing_hummingbird(self):
        self.assert_refused("Sources/OttoWorker/Bad.swift", "import HummingbirdCore\n", "OttoWorker imports HummingbirdCore")
        self.assert_refused("Sources/OttoCore/Bad.swift", "import Hummingbird\n", "OttoCore imports Hummingbird")
        self.assert_refused("Sources/OttoTasks/Bad.swift", "import Hummingbird\n", "OttoTasks imports Hummingbird")


if __name__ == "__main__":
    unittest.main()

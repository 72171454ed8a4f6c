"""shared/data/common-passwords.txt is Django's common-password list, line for line: the one
Django (installed into .venv by the test command, from scripts/requirements-test.txt) ships as
django/contrib/auth/common-passwords.txt.gz, which CommonPasswordValidator reads."""

import gzip
import pathlib
import unittest

import django

ROOT = pathlib.Path(__file__).resolve().parent.parent
OURS = ROOT / "shared" / "data" / "common-passwords.txt"
DJANGOS = pathlib.Path(django.__file__).parent / "contrib" / "auth" / "common-passwords.txt.gz"


class CommonPasswordsTest(unittest.TestCase):
    def test_the_list_is_djangos(self):
        with gzip.open(DJANGOS, "rt", encoding="utf-8") as djangos:
            expected = djangos.read()
        self.assertEqual(OURS.read_text(encoding="utf-8"), expected, f"{OURS} differs from {DJANGOS}")
        self.assertEqual(len(expected.splitlines()), 19640)


if __name__ == "__main__":
    unittest.main()

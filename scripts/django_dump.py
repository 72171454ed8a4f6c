"""Real DRF fixtures for the tests of `authtoken import django`: a throwaway Django project
(sqlite, in a temporary directory) with rest_framework.authtoken, users whose passwords are
hashed by Django's own hashers, and their tokens, exported by `manage.py dumpdata`.

Usage: python scripts/django_dump.py OUT_DIR   (needs Django, djangorestframework and
argon2-cffi: the test command installs them into .venv from scripts/requirements-test.txt)

Writes into OUT_DIR:
  plain.json      dumpdata auth.user authtoken.token --indent 2
  natural.json    the same with --natural-foreign --natural-primary
  compact.json    the same without --indent
  custom.json     dumpdata accounts.account authtoken.token, for a custom user model
                  (AUTH_USER_MODEL = "accounts.Account", USERNAME_FIELD "email")
  users.json      what the tests check against: each user's password, key, hasher and state
"""

import json
import pathlib
import subprocess
import sys
import tempfile

# Each user of the default project: (username, password, hasher, active, has a token).
# "unusable" is set_unusable_password(); "pbkdf2_sha256_old" is Django's PBKDF2 at 1000
# iterations, as a dump from an old Django holds.
USERS = [
    ("alice", "alice's password", "pbkdf2_sha256", True, True),
    ("bob", "bob's password", "pbkdf2_sha1", True, True),
    ("carol", "carol's password", "argon2", True, True),
    ("dave", "dave's password", "pbkdf2_sha256", False, True),
    ("erin", None, "unusable", True, True),
    ("frank", "frank's password", "pbkdf2_sha256_old", True, False),
    ("grace", "grace's password", "md5", True, True),
]
# The custom project's users (logging in by e-mail address).
CUSTOM_USERS = [
    ("hana@example.com", "hana's password", "pbkdf2_sha256", True, True),
]

HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]

CUSTOM_MODEL = '''
from django.contrib.auth.models import AbstractUser
from django.db import models


class Account(AbstractUser):
    email = models.EmailField(unique=True)
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]
'''


def setup(project: pathlib.Path, custom: bool) -> None:
    import django
    from django.conf import settings

    apps = [
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "rest_framework",
        "rest_framework.authtoken",
    ]
    extra = {}
    if custom:
        package = project / "accounts"
        (package / "migrations").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "migrations" / "__init__.py").write_text("")
        (package / "models.py").write_text(CUSTOM_MODEL)
        sys.path.insert(0, str(project))
        apps.append("accounts")
        extra["AUTH_USER_MODEL"] = "accounts.Account"
    settings.configure(
        INSTALLED_APPS=apps,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(project / "db.sqlite3")}},
        PASSWORD_HASHERS=HASHERS,
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        **extra,
    )
    django.setup()
    from django.core.management import call_command

    if custom:
        call_command("makemigrations", "accounts", verbosity=0)
    call_command("migrate", verbosity=0)


def hashed(password, hasher: str) -> str:
    from django.contrib.auth.hashers import get_hasher, make_password

    if hasher == "unusable":
        return make_password(None)
    if hasher == "pbkdf2_sha256_old":
        engine = get_hasher("pbkdf2_sha256")
        return engine.encode(password, engine.salt(), iterations=1000)
    return make_password(password, hasher=hasher)


def populate(users, custom: bool) -> list:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    model = get_user_model()
    described = []
    for index, (name, password, hasher, active, has_token) in enumerate(users):
        fields = {"email": name if custom else f"{name}@example.com"}
        user = model(username=name if not custom else f"user{index}", is_active=active, **fields)
        user.password = hashed(password, hasher)
        user.save()
        key = Token.objects.create(user=user).key if has_token else None
        described.append(
            {
                "username": name,
                "password": password,
                "hasher": hasher,
                "active": active,
                "key": key,
                "stored_hash_prefix": user.password.split("$")[0],
                "pk": user.pk,
                "email": user.email,
            }
        )
    return described


def project_dump(out: pathlib.Path, custom: bool) -> None:
    """One Django project (a process of its own: Django is set up once per process)."""
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as folder:
        project = pathlib.Path(folder)
        setup(project, custom)
        if custom:
            described = populate(CUSTOM_USERS, custom=True)
            call_command("dumpdata", "accounts.account", "authtoken.token", indent=2, output=str(out / "custom.json"))
            (out / "custom-users.json").write_text(json.dumps(described, indent=2))
            return
        described = populate(USERS, custom=False)
        models = ["auth.user", "authtoken.token"]
        call_command("dumpdata", *models, indent=2, output=str(out / "plain.json"))
        call_command(
            "dumpdata", *models, indent=2, natural_foreign=True, natural_primary=True, output=str(out / "natural.json")
        )
        call_command("dumpdata", *models, output=str(out / "compact.json"))
        (out / "users.json").write_text(json.dumps(described, indent=2))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] in ("--default", "--custom"):
        project_dump(pathlib.Path(sys.argv[2]), custom=sys.argv[1] == "--custom")
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for mode in ("--default", "--custom"):
        subprocess.run([sys.executable, __file__, mode, str(out)], check=True)
    print(f"django_dump: fixtures written to {out}")


if __name__ == "__main__":
    main()

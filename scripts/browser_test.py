"""The example app (examples/web) in a real browser: Debian's headless Chromium, driven by
Selenium through chromedriver, against `authtoken serve` on another origin (so the browser's
CORS checks run on every call). Each step's screenshot is written to target/browser/.

Usage: .venv/bin/python scripts/browser_test.py   (scripts/browser.sh installs Chromium first;
clients/typescript/dist/client.js must be built: scripts/typescript.sh builds it)
"""

import functools
import http.server
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHOTS = ROOT / "target" / "browser"
AUTHTOKEN = ROOT / "target" / "debug" / "authtoken"
CLIENT = ROOT / "clients" / "typescript" / "dist" / "client.js"
NEW_PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("authtoken serve exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def api_login(api: str, username: str, password: str) -> str:
    """A session of the user's made outside the page (another device)."""
    request = urllib.request.Request(
        api + "/api-token-auth/",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["token"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the page's files without a log line per request."""

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


class ExampleAppInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for path in (AUTHTOKEN, CLIENT, pathlib.Path("/usr/bin/chromium"), pathlib.Path("/usr/bin/chromedriver")):
            if not path.exists():
                raise RuntimeError(f"{path} is missing: run scripts/browser.sh, which builds and installs what this needs")
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob("*.png"):
            old.unlink()
        cls.work = pathlib.Path(tempfile.mkdtemp())
        # The API: knox's per-login policy, so that the user has several sessions; a name locked
        # for a minute after 3 failures.
        api_port = free_port()
        cls.api = f"http://127.0.0.1:{api_port}"
        env = {**os.environ, "TOKEN_POLICY": "per-login", "LOGIN_LOCKOUT_THRESHOLD": "3", "LOGIN_LOCKOUT_BASE_SECONDS": "60"}
        cls.server = subprocess.Popen(
            [str(AUTHTOKEN), "serve", "--addr", f"127.0.0.1:{api_port}", "--user", "admin:password"],
            env=env,
            stdout=open(cls.work / "serve.log", "w"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(api_port, cls.server)
        # The page, from another origin: the example's files and the compiled client.
        site = cls.work / "site"
        shutil.copytree(ROOT / "examples" / "web", site, ignore=shutil.ignore_patterns("*.sh", "*.md", "client.js"))
        shutil.copy(CLIENT, site / "client.js")
        handler = functools.partial(QuietHandler, directory=str(site))
        cls.site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=cls.site.serve_forever, daemon=True).start()
        cls.page = f"http://127.0.0.1:{cls.site.server_address[1]}/?api={cls.api}"
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,900"):
            options.add_argument(argument)
        cls.browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        cls.browser.set_page_load_timeout(20)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        cls.site.shutdown()
        cls.site.server_close()
        cls.server.terminate()
        cls.server.wait(timeout=10)
        shutil.rmtree(cls.work, ignore_errors=True)

    # --- helpers ---

    def shot(self, name: str) -> None:
        path = SHOTS / f"{name}.png"
        self.browser.save_screenshot(str(path))
        print(f"  screenshot: {path.relative_to(ROOT)}")

    def element(self, element_id: str):
        return self.browser.find_element(By.ID, element_id)

    def wait_for_status(self, text: str) -> str:
        """Waits (10 s at most) for the status line to hold `text`; returns the whole line."""
        WebDriverWait(self.browser, 10).until(
            expected_conditions.text_to_be_present_in_element((By.ID, "status"), text),
            message=f"status never held {text!r}; it says {self.element('status').text!r}",
        )
        return self.element("status").text

    def type_into(self, element_id: str, text: str) -> None:
        field = self.element(element_id)
        field.clear()
        field.send_keys(text)

    def log_in(self, username: str, password: str) -> None:
        self.type_into("username", username)
        self.type_into("password", password)
        self.element("login").click()

    def session_rows(self):
        return self.browser.find_elements(By.CSS_SELECTOR, "#sessions tr")

    def wait_for_rows(self, count: int) -> None:
        WebDriverWait(self.browser, 10).until(
            lambda _: len(self.session_rows()) == count,
            message=f"the sessions table never had {count} rows",
        )

    # --- the steps, in order ---

    def test_the_example_app_end_to_end(self):
        self.browser.get(self.page)
        self.assertTrue(self.element("login-form").is_displayed())
        self.shot("01-login-form")

        self.log_in("admin", "wrong")
        self.assertEqual(self.wait_for_status("Unable to log in"), "Unable to log in with provided credentials.")
        self.shot("02-wrong-password")

        self.log_in("admin", "password")
        self.wait_for_status("Logged in.")
        self.assertEqual(self.element("whoami").text, "admin")
        self.wait_for_rows(1)
        self.assertIn("(this one)", self.session_rows()[0].text)
        self.shot("03-logged-in")

        # Another device logs in: after a reload (the key kept in sessionStorage), two sessions;
        # the other one is ended from the page.
        other = api_login(self.api, "admin", "password")
        self.browser.refresh()
        self.wait_for_rows(2)
        self.assertEqual(self.element("whoami").text, "admin")
        self.shot("04-two-sessions")
        other_row = next(row for row in self.session_rows() if "(this one)" not in row.text)
        other_row.find_element(By.TAG_NAME, "button").click()
        self.wait_for_status("Session ended.")
        self.wait_for_rows(1)
        self.shot("05-other-session-ended")
        request = urllib.request.Request(self.api + "/api/whoami/", headers={"Authorization": f"Token {other}"})
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(refused.exception.code, 401)

        self.type_into("current-password", "password")
        self.type_into("new-password", "1234567")
        self.element("change-password").click()
        status = self.wait_for_status("too short")
        self.assertIn("This password is too common.", status)
        self.shot("06-weak-new-password")

        self.type_into("current-password", "password")
        self.type_into("new-password", NEW_PASSWORD)
        self.element("change-password").click()
        self.wait_for_status("Password changed: log in again")
        self.assertTrue(self.element("login-form").is_displayed())
        self.shot("07-password-changed")

        self.log_in("admin", NEW_PASSWORD)
        self.wait_for_status("Logged in.")
        self.element("logout").click()
        self.wait_for_status("Logged out.")
        self.assertTrue(self.element("login-form").is_displayed())
        self.shot("08-logged-out")

        self.log_in("admin", NEW_PASSWORD)
        self.wait_for_status("Logged in.")
        api_login(self.api, "admin", NEW_PASSWORD)
        self.element("logout-all").click()
        self.wait_for_status("Logged out everywhere.")
        self.assertTrue(self.element("login-form").is_displayed())
        self.shot("09-logged-out-everywhere")

        for _ in range(3):
            self.browser.execute_script("document.getElementById('status').textContent = ''")
            self.log_in("nobody", "wrong")
            self.wait_for_status("Unable to log in")
        self.log_in("nobody", "wrong")
        status = self.wait_for_status("Too many failed attempts")
        self.assertRegex(status, r"try again in \d+ s\. \(Request was throttled\. Expected available in \d+ seconds?\.\)")
        self.shot("10-locked-out")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)

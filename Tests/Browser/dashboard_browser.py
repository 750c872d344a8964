#!/usr/bin/env python3
"""The operator dashboard in a real browser (headless Chromium through selenium) against a real
stack: otto-api, otto-worker and otto-beat on the test PostgreSQL and Redis, under a Redis key
prefix of their own.

It checks, in order, and writes a screenshot of each state under .build/dashboard-screenshots/:
  1. through a stand-in of Fly's proxy (it adds Fly-Client-IP, so nothing is loopback) the page
     is the sign-in form and the state is refused; a wrong token is refused;
  2. the right token signs in, and the page shows the fleet;
  3. the numbers change after tasks ran (processed, succeeded in the hour);
  4. a task that fails is dead-lettered; Replay, confirmed in the page, runs it again;
  5. a forged cross-site POST (a page on another origin submitting the purge form through the
     proxy; the browser sends the session cookie, same host) is refused with 403 and purges
     nothing;
  6. the page on a phone-sized window, and the keyboard's first stop.

Environment: DATABASE_URL (the development database, migrated here first: the beat's sweep
runs against it) and OTTO_TEST_REDIS_URL (scripts/test.sh sets both),
OTTO_BIN_DIR (default .build/debug). Bounded: every wait has a deadline; the run takes about a
minute here. Exit status 1 on the first failed check.
"""
import http.client
import http.server
import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("OTTO_BIN_DIR", ROOT / ".build" / "debug"))
SHOTS = ROOT / ".build" / "dashboard-screenshots"
TOKEN = "browser-test-token-" + uuid.uuid4().hex
DEADLINE = time.monotonic() + 170  # the whole run stays under 3 minutes


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)
    print(f"ok: {message}", flush=True)


def wait_for(condition, seconds, message):
    end = min(time.monotonic() + seconds, DEADLINE)
    while time.monotonic() < end:
        try:
            if condition():
                print(f"ok: {message}", flush=True)
                return
        except Exception:  # a page mid-refresh, a connection not yet open
            pass
        time.sleep(0.25)
    raise CheckFailed(f"timed out: {message}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_request(port, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


class FlyEdge(http.server.BaseHTTPRequestHandler):
    """Forwards to otto-api and adds Fly-Client-IP, as Fly's proxy does for every request."""

    upstream = 0
    # The Cookie header of each POST it forwarded, by path.
    posted_cookies = {}

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        headers["Fly-Client-IP"] = "203.0.113.50"
        if self.command == "POST":
            FlyEdge.posted_cookies[self.path] = self.headers.get("Cookie", "")
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=15)
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        connection.close()

    do_GET = forward
    do_POST = forward

    def log_message(self, *args):
        pass


class EvilSite(http.server.BaseHTTPRequestHandler):
    """Another origin whose page submits the dashboard's purge form on load (no CSRF token)."""

    target = ""

    def do_GET(self):
        page = (
            "<!doctype html><title>Free prizes</title><form id=f method=post action='%s'>"
            "<input type=hidden name=queue value=default></form>"
            "<script>document.getElementById('f').submit()</script>" % self.target
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args):
        pass


def serve(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    for name in ("DATABASE_URL", "OTTO_TEST_REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} is not set: run through scripts/test.sh (make test)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    api_port = free_port()
    environment = dict(
        os.environ,
        APP_ENV="test", LOG_FORMAT="json", HOST="127.0.0.1", PORT=str(api_port),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{api_port}", TWILIO_AUTH_TOKEN="0123456789abcdef0123456789abcdef",
        DATABASE_URL=os.environ["DATABASE_URL"], REDIS_URL=os.environ["OTTO_TEST_REDIS_URL"],
        REDIS_KEY_PREFIX=f"otto-browser-{uuid.uuid4().hex[:8]}:", ENABLE_CELERY="true", ENABLE_CELERY_BEAT="true",
        INTERNAL_API_TOKEN=TOKEN, BEAT_CANARY_INTERVAL="5",
    )
    logs = ROOT / ".build" / "dashboard-browser-logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = []
    driver = None
    servers = []
    try:
        migrated = subprocess.run([str(BIN / "otto-api"), "migrate"], env=environment, capture_output=True, text=True)
        check(migrated.returncode == 0, f"otto-api migrate ({migrated.stdout.strip()[-200:]})")
        for binary in ("otto-api", "otto-worker", "otto-beat"):
            log = open(logs / f"{binary}.log", "w")
            processes.append(
                subprocess.Popen([str(BIN / binary)], env=environment, stdout=log, stderr=subprocess.STDOUT))
        wait_for(lambda: http_request(api_port, "GET", "/health")[0] == 200, 60, "otto-api answers /health")
        bearer = {"Authorization": f"Bearer {TOKEN}"}

        def state():
            status, data = http_request(api_port, "GET", "/internal/dashboard/state", bearer)
            return json.loads(data) if status == 200 else {}

        def enqueue(arguments, count=1, attempts=3):
            out = subprocess.run(
                [str(BIN / "otto-worker"), "enqueue", "otto.ping", "--args", arguments, "--count", str(count),
                 "--max-attempts", str(attempts), "--json"],
                env=environment, capture_output=True, text=True, timeout=30)
            check(out.returncode == 0, f"otto-worker enqueue {arguments} x{count}")
            return json.loads(out.stdout.strip().splitlines()[-1])["ids"]

        wait_for(lambda: len(state().get("workers", [])) == 1, 60, "the worker's heartbeat is live")

        FlyEdge.upstream = api_port
        edge = serve(FlyEdge)
        servers.append(edge)
        edge_url = f"http://127.0.0.1:{edge.server_address[1]}"
        EvilSite.target = f"{edge_url}/internal/dashboard/dead/purge"
        evil = serve(EvilSite)
        servers.append(evil)

        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1000"):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(20)

        def shot(name):
            driver.execute_script("window.scrollTo(0, 0)")
            path = SHOTS / f"{name}.png"
            driver.save_screenshot(str(path))
            print(f"screenshot: {path}", flush=True)

        # 1. Behind the (stand-in) Fly proxy without the token: the sign-in form, nothing else.
        driver.get(edge_url + "/internal/dashboard")
        check(driver.find_elements(By.ID, "token"), "behind the proxy the page is the sign-in form")
        check(not driver.find_elements(By.ID, "queues"), "no panel is shown before signing in")
        shot("01-refused-sign-in")
        status, body = http_request(edge.server_address[1], "GET", "/internal/dashboard/state")
        check(status == 403, f"the state through the proxy without the token is refused ({status})")
        driver.find_element(By.ID, "token").send_keys("not-the-token")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(lambda: driver.find_element(By.ID, "signin-error").is_displayed(), 10, "a wrong token is refused")
        shot("02-wrong-token")

        # 2. The right token signs in.
        driver.find_element(By.ID, "token").send_keys(TOKEN)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_for(lambda: driver.find_elements(By.ID, "queues"), 10, "the token signs in and the panels show")
        cookie = driver.get_cookie("otto_dashboard")
        check(cookie is not None and cookie.get("httpOnly") and cookie.get("secure")
              and cookie.get("sameSite") == "Strict" and cookie.get("path") == "/internal",
              f"the session cookie is HttpOnly, Secure, SameSite=Strict, Path=/internal ({cookie})")
        wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#workers tbody tr")) == 1, 15,
                 "the page lists the live worker")
        shot("03-signed-in")

        # 2b. Today's usage per tenant: a tenant's ledger row written after the page loaded shows
        # without a reload (the script renders the polled state's usage panel).
        name = f"Browser Usage {uuid.uuid4().hex[:6]}"
        created = subprocess.run(
            [str(BIN / "otto-api"), "tenants", "create", "--clerk-org", f"org_browser_{uuid.uuid4().hex[:8]}",
             "--name", name, "--json"], env=environment, capture_output=True, text=True, timeout=30)
        check(created.returncode == 0, f"otto-api tenants create ({created.stdout.strip()[-200:]})")
        tenant = json.loads(created.stdout)["id"]
        # More audio than any drill writes, so it is among the 20 the panel lists.
        inserted = subprocess.run(
            [str(ROOT / "scripts" / "services.sh"), "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
             "BEGIN; SELECT set_config('app.maintenance', 'on', true); "
             "INSERT INTO usage_daily (tenant_id, day, audio_seconds, transcriptions, prompt_tokens, "
             f"completion_tokens, analyses) VALUES ('{tenant}', (now() AT TIME ZONE 'UTC')::date, 36000000, 7, "
             "1234, 56, 7); COMMIT;"], capture_output=True, text=True, timeout=30)
        check(inserted.returncode == 0, f"today's usage row inserted ({inserted.stderr.strip()[-200:]})")

        def usage_row():
            for row in driver.find_elements(By.CSS_SELECTOR, "#usage tbody tr"):
                if row.find_element(By.TAG_NAME, "th").text == name:
                    return [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            return None

        wait_for(lambda: usage_row() is not None, 15, "the tenant's usage today shows without a reload")
        check(usage_row() == [tenant, "10000.0 h", "7", "7", "1234", "56"], f"its usage row ({usage_row()})")
        check(driver.find_element(By.ID, "usage-summary").text.startswith("UTC day "),
              "the usage panel names its UTC day")
        # The development database outlives the run: leave no row to outrank the next run's.
        subprocess.run(
            [str(ROOT / "scripts" / "services.sh"), "psql", "-X", "-q", "-c",
             "BEGIN; SELECT set_config('app.maintenance', 'on', true); "
             f"DELETE FROM usage_daily WHERE tenant_id = '{tenant}'; COMMIT;"], capture_output=True, timeout=30)

        # 3. The numbers change after tasks ran.
        def worker_cell(column):
            return int(driver.find_element(By.CSS_SELECTOR, f"#workers tbody tr td:nth-of-type({column})").text)

        def queue_cell(queue, column):
            for row in driver.find_elements(By.CSS_SELECTOR, "#queues tbody tr"):
                if row.find_element(By.TAG_NAME, "th").text == queue:
                    return row.find_elements(By.TAG_NAME, "td")[column].text
            return None

        processed_before = worker_cell(5)
        hour_before = int(queue_cell("default", 6) or 0)
        enqueue("{}", count=8)
        wait_for(lambda: worker_cell(5) >= processed_before + 8, 40,
                 f"the worker's processed count rises by 8 (from {processed_before})")
        wait_for(lambda: int(queue_cell("default", 6) or 0) >= hour_before + 8, 40,
                 "the default queue's succeeded-in-the-hour rises by 8 (sampled server-side)")
        shot("04-after-tasks")

        # 4. A failing task is dead-lettered; Replay, confirmed, runs it again.
        task_id = enqueue('{"fail": true, "api_token": "tok-should-not-show"}', attempts=1)[0]
        row_selector = f"#dead tbody tr"

        def dead_row():
            for row in driver.find_elements(By.CSS_SELECTOR, row_selector):
                if task_id in row.text:
                    return row
            return None

        wait_for(lambda: dead_row() is not None, 40, "the failed task shows among the dead letters")
        check("tok-should-not-show" not in driver.page_source, "the dead letter's token argument is masked")
        check("***" in dead_row().text, "the masked value shows as ***")
        shot("05-dead-letter")
        failed_before = worker_cell(6)
        dead_row().find_element(By.CSS_SELECTOR, "button").click()
        alert = WebDriverWait(driver, 5).until(lambda d: d.switch_to.alert)
        check(task_id in alert.text, f"the replay asks first ({alert.text!r})")
        alert.accept()
        wait_for(lambda: "Replayed" in driver.find_element(By.ID, "notice").text, 10, "the page says it replayed")
        wait_for(lambda: worker_cell(6) > failed_before, 40, "the replayed task ran again (one more failed attempt)")
        wait_for(lambda: dead_row() is not None, 40, "and is dead again after its single attempt")
        shot("06-replayed")
        # The whole page after the replay, in one tall window (docs/dashboard.png is one of these).
        driver.set_window_size(1280, 2200)
        shot("06b-replayed-whole-page")
        driver.set_window_size(1280, 1000)

        # 5. A forged cross-site POST: another origin's page submits the purge form. The browser
        # sends the session cookie (same host, another port), but not the CSRF token: refused,
        # nothing purged.
        dead_before = sum(q["dead"] for q in state()["queues"])
        driver.get(f"http://127.0.0.1:{evil.server_address[1]}/")
        wait_for(lambda: "CSRF" in driver.page_source, 10, "the forged POST is answered with the CSRF refusal")
        check("otto_dashboard=" in FlyEdge.posted_cookies.get("/internal/dashboard/dead/purge", ""),
              "the forged POST carried the session cookie (refused for the missing CSRF token alone)")
        check("403" in driver.page_source or "Forbidden" in driver.page_source, "the refusal is a 403")
        shot("07-forged-post-refused")
        check(sum(q["dead"] for q in state()["queues"]) == dead_before, "the forged purge deleted nothing")

        # 6. A phone-sized window, and the keyboard's first stop is the skip link.
        driver.set_window_size(390, 844)
        driver.get(edge_url + "/internal/dashboard")
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#workers tbody tr"), 10, "the page on a phone")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        check(width <= 400, f"the page fits a phone's width, tables scroll inside their panel ({width}px)")
        shot("08-phone")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        focused = driver.switch_to.active_element
        check(focused.text.startswith("Skip"), "the first Tab reaches the skip link")
        print(f"screenshots in {SHOTS}", flush=True)
        return 0
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr, flush=True)
        if driver is not None:
            try:
                driver.save_screenshot(str(SHOTS / "failure.png"))
                print(f"screenshot: {SHOTS / 'failure.png'}", file=sys.stderr)
            except Exception:
                pass
        print(f"process logs in {logs}", file=sys.stderr)
        return 1
    finally:
        if driver is not None:
            driver.quit()
        for server in servers:
            server.shutdown()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())

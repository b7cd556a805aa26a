"""Log in to a running Odoo and save a PNG of a page, with headless Chromium.

    tools/screenshot.py URL OUT.png [--login admin --password admin --wait 4 --js CODE --click CSS]

For looking at the screens we build; uses the virtualenv's requests and websocket-client.
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

import requests
import websocket


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--db", default="tusfacturas_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--wait", type=float, default=4.0)
    parser.add_argument("--js", help="JavaScript to run once loaded (e.g. to search), then wait again")
    parser.add_argument("--click", help="CSS selector to click once loaded, then wait again")
    parser.add_argument("--size", default="1600,1000")
    args = parser.parse_args()

    parts = urlsplit(args.url)
    base = f"{parts.scheme}://{parts.netloc}"
    session = requests.Session()
    session.post(f"{base}/web/session/authenticate", json={"params": {
        "db": args.db, "login": args.login, "password": args.password}}, timeout=30).raise_for_status()  # fmt: skip
    sid = session.cookies["session_id"]

    chrome = shutil.which("chromium") or shutil.which("google-chrome")
    profile = tempfile.mkdtemp()
    proc = subprocess.Popen(
        [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--window-size={args.size}", "--remote-debugging-port=9333", f"--user-data-dir={profile}",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(50):
            try:
                tabs = requests.get("http://127.0.0.1:9333/json", timeout=1).json()
                break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise SystemExit(f"{chrome} did not open its DevTools port 9333")
        # Without an Origin header, as Odoo's test browser connects: Chromium (111+) refuses
        # DevTools connections from an origin it was not started with --remote-allow-origins for.
        page = next(t for t in tabs if t["type"] == "page")
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], suppress_origin=True)
        counter = iter(range(1, 10**6))

        def send(method, **params):
            call_id = next(counter)
            ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == call_id:
                    return message.get("result", {})

        send("Network.enable")
        send("Network.setCookie", name="session_id", value=sid, domain=parts.hostname, path="/")
        send("Page.navigate", url=args.url)
        time.sleep(args.wait)
        if args.js:
            send("Runtime.evaluate", expression=args.js)
            time.sleep(args.wait)
        if args.click:
            send("Runtime.evaluate", expression=f"document.querySelector({json.dumps(args.click)}).click()")
            time.sleep(args.wait)
        data = send("Page.captureScreenshot", format="png")["data"]
        with open(args.out, "wb") as out:
            out.write(base64.b64decode(data))
    finally:
        proc.terminate()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()

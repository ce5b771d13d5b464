"""cdp.py: headless Chromium driven through the Chrome DevTools Protocol,
with nothing but Python's standard library: a minimal WebSocket client
(RFC 6455: the opening handshake, masked client frames, fragmented and
long messages), the browser's process, and the few page operations the
voting page's tests need (navigate, evaluate, keys, files, downloads,
the accessibility tree, a phone's screen, console messages).

    with Browser(chromium, profile_dir, download_dir) as b:
        page = b.new_page()
        page.navigate(url)
        page.wait_for("document.body.dataset.view === 'ballot'")
"""
import base64
import json
import os
import socket
import struct
import subprocess
import time


class CdpError(Exception):
    pass


class WebSocket:
    """A client WebSocket over a plain TCP socket (ws://, loopback)."""

    def __init__(self, host, port, path, timeout=60):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n" % (path, host, port,
                                                          key))
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise CdpError("the browser closed the WebSocket handshake")
            response += chunk
        head, self.buffer = response.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise CdpError("WebSocket handshake refused: %r" % head[:200])

    def send(self, text):
        data = text.encode()
        header = bytearray([0x81])  # FIN, text
        if len(data) < 126:
            header.append(0x80 | len(data))
        elif len(data) < 65536:
            header.append(0x80 | 126)
            header += struct.pack(">H", len(data))
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", len(data))
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(bytes(header) + mask + masked)

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise CdpError("the browser closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def receive(self):
        """The next whole text message (fragments joined)."""
        message = b""
        while True:
            b0, b1 = self._read(2)
            opcode, length = b0 & 0x0F, b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            if b1 & 0x80:
                mask = self._read(4)
                payload = bytes(b ^ mask[i % 4]
                                for i, b in enumerate(self._read(length)))
            else:
                payload = self._read(length)
            if opcode == 0x8:
                raise CdpError("the browser closed the WebSocket")
            if opcode == 0x9:  # ping: answer pong
                self.sock.sendall(bytes([0x8A, 0x80]) + b"\0\0\0\0")
                continue
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Browser:
    """A headless Chromium with its own profile (its own IndexedDB: one
    voter's device) that saves downloads in download_dir."""

    FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-quic",
             "--disable-features=Translate,MediaRouter",
             "--remote-debugging-port=0"]

    def __init__(self, chromium, profile, downloads, log_path=None):
        self.chromium, self.profile, self.downloads = (chromium, profile,
                                                       downloads)
        self.log_path = log_path
        self.next_id = 0
        self.events = []
        self.console = []
        self.proc = None
        self.ws = None

    def __enter__(self):
        os.makedirs(self.profile, exist_ok=True)
        os.makedirs(self.downloads, exist_ok=True)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        if os.path.exists(port_file):
            os.unlink(port_file)
        log = open(self.log_path or os.devnull, "ab")
        self.proc = subprocess.Popen(
            [self.chromium] + self.FLAGS +
            ["--user-data-dir=" + self.profile, "about:blank"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.time() + 60
        while True:
            if self.proc.poll() is not None:
                raise CdpError("chromium exited with %d" % self.proc.returncode)
            try:
                with open(port_file) as f:
                    lines = f.read().split("\n")
                if len(lines) >= 2 and lines[1]:
                    break
            except FileNotFoundError:
                pass
            if time.time() > deadline:
                raise CdpError("chromium did not start in 60 s")
            time.sleep(0.05)
        self.ws = WebSocket("127.0.0.1", int(lines[0]), lines[1])
        self.send("Browser.setDownloadBehavior",
                  {"behavior": "allow", "downloadPath": self.downloads,
                   "eventsEnabled": True})
        return self

    def __exit__(self, *exc):
        try:
            if self.ws is not None:
                self.ws.send(json.dumps({"id": 10 ** 9,
                                         "method": "Browser.close"}))
        except (OSError, CdpError):
            pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.ws is not None:
            self.ws.close()
        return False

    def _note(self, message):
        method = message.get("method", "")
        params = message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", "")))
                            for a in params.get("args", []))
            self.console.append((params.get("type"), text))
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            self.console.append(("exception", d.get("exception", {})
                                 .get("description", d.get("text", ""))))
        elif method == "Log.entryAdded":
            e = params.get("entry", {})
            self.console.append((e.get("level"), e.get("text", "")))
        self.events.append(message)

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        mid = self.next_id
        message = {"id": mid, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = json.loads(self.ws.receive())
            if reply.get("id") == mid:
                if "error" in reply:
                    raise CdpError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self._note(reply)
        raise CdpError("no answer to %s" % method)

    def pump(self, seconds):
        """Reads events for a while (the socket's timeout bounds it)."""
        self.ws.sock.settimeout(seconds)
        try:
            self._note(json.loads(self.ws.receive()))
        except socket.timeout:
            pass
        finally:
            self.ws.sock.settimeout(60)

    def wait_event(self, method, predicate=lambda p: True, timeout=30):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method and predicate(e.get("params")):
                    del self.events[i]
                    return e["params"]
            if time.time() > deadline:
                raise CdpError("no event %s in %d s" % (method, timeout))
            self.pump(0.2)

    def new_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"})
        session = self.send("Target.attachToTarget",
                            {"targetId": target["targetId"],
                             "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log", "DOM"):
            page.send(domain + ".enable")
        return page

    def wait_download(self, timeout=30):
        """The path of the next completed download."""
        begin = self.wait_event("Browser.downloadWillBegin", timeout=timeout)
        self.wait_event("Browser.downloadProgress",
                        lambda p: p["guid"] == begin["guid"] and
                        p["state"] in ("completed", "canceled"),
                        timeout=timeout)
        path = os.path.join(self.downloads, begin["suggestedFilename"])
        if not os.path.exists(path):
            raise CdpError("download %s did not complete" % path)
        return path


class Page:
    def __init__(self, browser, session):
        self.browser, self.session = browser, session

    def send(self, method, params=None, timeout=60):
        return self.browser.send(method, params, self.session, timeout)

    def navigate(self, url):
        """Loads url afresh (by way of about:blank, so that a link that
        differs only after '#' loads the page again)."""
        for target in ("about:blank", url):
            self.browser.events = [e for e in self.browser.events
                                   if e.get("method") !=
                                   "Page.loadEventFired"]
            self.send("Page.navigate", {"url": target})
            self.browser.wait_event("Page.loadEventFired")

    def eval(self, expression):
        r = self.send("Runtime.evaluate", {"expression": expression,
                                           "awaitPromise": True,
                                           "returnByValue": True})
        if "exceptionDetails" in r:
            raise CdpError("%s: %s" % (expression[:80],
                                       r["exceptionDetails"]))
        return r["result"].get("value")

    def wait_for(self, condition, timeout=30):
        deadline = time.time() + timeout
        while True:
            value = self.eval(condition)
            if value:
                return value
            if time.time() > deadline:
                raise CdpError("timed out waiting for %s; view %s; alert "
                               "%r; page text: %s" % (
                                   condition, self.eval(
                                       "document.body.dataset.view"),
                                   self.eval("document.getElementById("
                                             "'alert').textContent"),
                                   self.eval("document.body.innerText")
                                   [:800]))
            self.browser.pump(0.1)

    def view(self, name, timeout=30):
        return self.wait_for("document.body.dataset.view === %s" %
                             json.dumps(name), timeout)

    def text(self, selector="body"):
        return self.eval("document.querySelector(%s).innerText" %
                         json.dumps(selector))

    def focus(self, selector):
        ok = self.eval("(() => { const e = document.querySelector(%s); "
                       "if (!e) return false; e.focus(); "
                       "return document.activeElement === e; })()" %
                       json.dumps(selector))
        if not ok:
            raise CdpError("cannot focus %s" % selector)

    def key(self, name):
        """Presses a key on the focused element, as a keyboard would."""
        keys = {"Enter": (13, "\r"), " ": (32, " "), "Tab": (9, None)}
        code, text = keys[name]
        down = {"type": "keyDown", "key": name, "windowsVirtualKeyCode": code,
                "code": {"Enter": "Enter", " ": "Space", "Tab": "Tab"}[name]}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", down)
        up = dict(down, type="keyUp")
        up.pop("text", None)
        self.send("Input.dispatchKeyEvent", up)

    def press(self, selector, key="Enter"):
        """Focuses an element and presses a key on it (keyboard only)."""
        self.focus(selector)
        self.key(key)

    def type(self, selector, text):
        self.focus(selector)
        self.send("Input.insertText", {"text": text})

    def set_file(self, selector, path):
        root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root,
                                               "selector": selector})
        if not node.get("nodeId"):
            raise CdpError("no element %s" % selector)
        self.send("DOM.setFileInputFiles", {"nodeId": node["nodeId"],
                                            "files": [path]})

    def unnamed_controls(self):
        """Interactive nodes of the accessibility tree that have no name
        a screen reader could read."""
        nodes = self.send("Accessibility.getFullAXTree")["nodes"]
        roles = {"button", "checkbox", "radio", "textbox", "combobox",
                 "link", "listbox", "slider", "spinbutton", "switch"}
        bad = []
        for n in nodes:
            if n.get("ignored"):
                continue
            role = n.get("role", {}).get("value")
            name = n.get("name", {}).get("value", "")
            if role in roles and not str(name).strip():
                bad.append(role)
        return bad

    def phone(self, width=360, height=740):
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 2,
                   "mobile": True})

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

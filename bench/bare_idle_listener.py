"""The baseline for bench_watch.py: the least a program can do to hear about new mail.

One thread per account: TLS login, EXAMINE INBOX, IDLE, and on every EXISTS print one JSON
line {"account": NAME, "exists": N} (flushed; one EXISTS may announce several messages).
No config, no keyring, no state, no decoding, no fetch.
Accounts come as a JSON list on stdin: [{"name", "host", "port", "user", "password", "ca_file"}].
Prints {"ready": NAME} once each account is idling.
"""

import json
import ssl
import sys
import threading

from imapclient import IMAPClient

_out = threading.Lock()


def say(obj: dict[str, object]) -> None:
    with _out:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def listen(account: dict[str, str]) -> None:
    context = ssl.create_default_context(cafile=account["ca_file"])
    client = IMAPClient(account["host"], port=int(account["port"]), ssl=True, ssl_context=context)
    client.login(account["user"], account["password"])
    client.select_folder("INBOX", readonly=True)
    client.idle()
    say({"ready": account["name"]})
    while True:
        for response in client.idle_check(timeout=600):
            if len(response) >= 2 and response[1] == b"EXISTS":
                say({"account": account["name"], "exists": int(response[0])})


def main() -> None:
    accounts = json.load(sys.stdin)
    threads = [threading.Thread(target=listen, args=(a,), daemon=True) for a in accounts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()

"""The baseline for bench_pending.py: only the IMAP a pending check needs, nothing else.

login, EXAMINE INBOX, SEARCH SINCE, FETCH the same header fields; the same for Sent; logout.
No config, no keyring, no state, no decoding. Usage (the password on stdin):
    python bench/minimal_imap_pending.py HOST PORT USER CA_FILE SINCE_YYYY-MM-DD < password
Prints the number of INBOX and Sent messages fetched.
"""

import ssl
import sys
from datetime import date

from imapclient import IMAPClient

INBOX_FIELDS = (
    "FROM SENDER REPLY-TO TO CC SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES AUTO-SUBMITTED "
    "PRECEDENCE LIST-ID LIST-UNSUBSCRIBE LIST-POST X-AUTO-RESPONSE-SUPPRESS X-AUTOREPLY "
    "X-AUTORESPOND X-CAMPAIGN X-CAMPAIGNID RETURN-PATH CONTENT-TYPE"
)
SENT_FIELDS = "MESSAGE-ID IN-REPLY-TO REFERENCES"


def main() -> None:
    host, port, user, ca_file, since_text = sys.argv[1:6]
    password = sys.stdin.readline().rstrip("\n")
    since = date.fromisoformat(since_text)
    context = ssl.create_default_context(cafile=ca_file)
    client = IMAPClient(host, port=int(port), ssl=True, ssl_context=context, timeout=30)
    client.login(user, password)
    counts = []
    for folder, fields in (("INBOX", INBOX_FIELDS), ("Sent", SENT_FIELDS)):
        client.select_folder(folder, readonly=True)
        uids = client.search(["SINCE", since])
        items = [f"BODY.PEEK[HEADER.FIELDS ({fields})]"]
        if folder == "INBOX":
            items = ["INTERNALDATE", "FLAGS", "RFC822.SIZE", *items]
        data = client.fetch(uids, items) if uids else {}
        counts.append(len(data))
    client.logout()
    print(*counts)


if __name__ == "__main__":
    main()

"""The baseline for bench_history.py: only the IMAP a 90-day history build needs.

For each account in turn: login, EXAMINE INBOX, SEARCH SINCE, FETCH INTERNALDATE, FLAGS
and the same header fields as Ippo's history (trayapp/mail/history.py), in batches of 500
like Ippo; EXAMINE Sent, SEARCH SINCE, FETCH INTERNALDATE, the threading headers and Date;
logout. No config, no
keyring, no state, no decoding. Usage (a JSON list of [user, password] on stdin):
    python bench/minimal_imap_history.py HOST PORT CA_FILE SINCE_YYYY-MM-DD < accounts.json
Prints the number of INBOX and Sent messages fetched over all accounts.
"""

import json
import ssl
import sys
from datetime import date

from imapclient import IMAPClient

INBOX_FIELDS = (
    "FROM REPLY-TO SUBJECT MESSAGE-ID AUTO-SUBMITTED PRECEDENCE LIST-ID LIST-UNSUBSCRIBE "
    "LIST-POST X-AUTO-RESPONSE-SUPPRESS X-AUTOREPLY X-AUTORESPOND X-CAMPAIGN X-CAMPAIGNID "
    "RETURN-PATH CONTENT-TYPE"
)
SENT_FIELDS = "MESSAGE-ID IN-REPLY-TO REFERENCES DATE"
BATCH = 500


def main() -> None:
    host, port, ca_file, since_text = sys.argv[1:5]
    accounts = json.loads(sys.stdin.read())
    since = date.fromisoformat(since_text)
    context = ssl.create_default_context(cafile=ca_file)
    counts = [0, 0]
    for user, password in accounts:
        client = IMAPClient(host, port=int(port), ssl=True, ssl_context=context, timeout=30)
        client.login(user, password)
        for index, (folder, fields) in enumerate((("INBOX", INBOX_FIELDS), ("Sent", SENT_FIELDS))):
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search(["SINCE", since]))
            items = ["INTERNALDATE", f"BODY.PEEK[HEADER.FIELDS ({fields})]"]
            if folder == "INBOX":
                items = ["INTERNALDATE", "FLAGS", items[1]]
            for start in range(0, len(uids), BATCH):
                counts[index] += len(client.fetch(uids[start : start + BATCH], items))
        client.logout()
    print(*counts)


if __name__ == "__main__":
    main()

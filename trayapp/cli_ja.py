"""The command line in Japanese: English text (the key, as written in the code) -> Japanese.

Placeholders in braces ({name}, {id!r}) must stay as they are. tests/unit/test_cli_i18n.py
fails on any help text or wrapped message of the commands that has no entry here.
"""

from __future__ import annotations

JA: dict[str, str] = {
    # -- argparse's own words
    "usage: ": "使い方: ",
    "positional arguments": "引数",
    "options": "オプション",
    "show this help message and exit": "このヘルプを表示して終了します",
    "show program's version number and exit": "バージョンを表示して終了します",
    "%(prog)s: error: %(message)s\n": "%(prog)s: エラー: %(message)s\n",
    "the following arguments are required: %s": "次の引数が必要です: %s",
    "unrecognized arguments: %s": "認識できない引数です: %s",
    "argument %(argument_name)s: %(message)s": "引数 %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "無効な値です: %(value)r（%(choices)s から選んでください）"
    ),
    "expected one argument": "値を1つ指定してください",
    "invalid %(type)s value: %(value)r": "%(type)s として無効な値です: %(value)r",
    "not allowed with argument %s": "引数 %s と同時には指定できません",
    # -- ippo
    "Keep your 'reply within 24 hours' promise on every inbox.": (
        "すべての受信箱で「24時間以内に返信」の約束を守ります。"
    ),
    "where accounts and state live (default: $IPPO_CONFIG_DIR or the user config dir)": (
        "アカウントと状態を保存するフォルダー"
        "（既定: $IPPO_CONFIG_DIR またはユーザー設定フォルダー）"
    ),
    "start the tray app on sample data": "サンプルデータでトレイアプリを起動します",
    # -- account
    "add, list or remove watched inboxes": "見守る受信箱の追加・一覧・削除",
    "add an inbox (tests the login first)": "受信箱を追加します（先にログインを確認します）",
    "list the inboxes": "受信箱の一覧を表示します",
    "remove an inbox and its keyring entry": "受信箱とキーリングのパスワードを削除します",
    "Add an inbox. The login is tested before anything is saved; the password goes only into "
    "the OS keyring.": (
        "受信箱を追加します。保存の前にログインを確認します。パスワードはOSのキーリングにだけ"
        "保存されます。"
    ),
    "a short name for this inbox, e.g. shop": "この受信箱の短い名前（例: shop）",
    "the address customers write to": "お客様が問い合わせを送るアドレス",
    "default: 993 (ssl) or 143 (starttls)": "既定: 993（ssl）または 143（starttls）",
    "IMAP login name (default: the email address)": "IMAPのログイン名（既定: メールアドレス）",
    "an extra trusted CA certificate (PEM) for this server": (
        "このサーバー用に追加で信頼するCA証明書（PEM）"
    ),
    "the promised response window (default 24)": "約束する返信期限（時間、既定 24）",
    "save without logging in to the SMTP server (it is tested by default)": (
        "SMTPサーバーへのログインを確かめずに保存する（既定では確かめます）"
    ),
    "how far back to look for waiting mail (default 7)": (
        "返信待ちのメールをさかのぼる日数（既定 7）"
    ),
    "SMTP server for acknowledgements": "一報の送信に使うSMTPサーバー",
    "default: 465 (ssl) or 587 (starttls)": "既定: 465（ssl）または 587（starttls）",
    "SMTP login name (default: the IMAP login)": "SMTPのログイン名（既定: IMAPのログイン名）",
    "the name customers see in From, e.g. your shop's name ('' for the address only)": (
        "お客様に見える差出人名（例: お店の名前。'' でアドレスのみ）"
    ),
    "the signature under every reply, several lines as typed ('' for none)": (
        "返信の末尾に付ける署名。複数行は入力したとおり（'' で署名なし）"
    ),
    "the signature under Japanese replies (default: --signature)": (
        "日本語の返信に付ける署名（既定: --signature）"
    ),
    "the signature under English replies (default: --signature)": (
        "英語の返信に付ける署名（既定: --signature）"
    ),
    "read the password from standard input (one line)": "パスワードを標準入力から読みます（1行）",
    "a JSON array of account objects": "アカウントをJSONの配列で出力します",
    # -- pending
    "list the inquiries that wait for a response, most urgent first": (
        "返信待ちの問い合わせを、急ぐ順に一覧表示します"
    ),
    "Connect every account and list the inquiries that still wait for a response, most urgent "
    "first. Exit 0 even when some are overdue; 1 when an account cannot be checked (the others "
    "are still listed).": (
        "すべてのアカウントに接続し、まだ返信していない問い合わせを急ぐ順に表示します。"
        "期限切れがあっても終了コードは 0、確認できないアカウントがあれば 1 です"
        "（ほかのアカウントの分は表示されます）。"
    ),
    "print a JSON array (id, account, message_id, sender, subject, received_at, due_at, state, "
    "...)": (
        "JSONの配列で出力します（id, account, message_id, sender, subject, received_at, "
        "due_at, state など）"
    ),
    "give up on a server that does not answer within this time (default 30)": (
        "この秒数以内に応答のないサーバーはあきらめます（既定 30）"
    ),
    "overdue {left}": "{left}超過",
    "due in {left}": "あと{left}",
    "(no subject)": "（件名なし）",
    "No accounts yet. Add one with `ippo account add`.": (
        "アカウントがまだありません。`ippo account add` で追加してください。"
    ),
    "Nothing waits ({count} account(s) checked).": (
        "返信待ちはありません（{count}件のアカウントを確認しました）。"
    ),
    "no password in the OS keyring; add the account again with "
    "`ippo account add ... --password-stdin`": (
        "OSのキーリングにパスワードがありません。`ippo account add ... --password-stdin` で"
        "追加し直してください"
    ),
    # -- ack
    "send the quick acknowledgement for a waiting inquiry": "返信待ちの問い合わせに一報を送ります",
    "Send the quick acknowledgement (一報) for the inquiry ID (as printed by `ippo pending "
    "--json`): a reply from a template in the inquiry's language that says when the full answer "
    "will come. Never sends the same acknowledgement twice.": (
        "ID（`ippo pending --json` が表示するもの）の問い合わせに一報を送ります。問い合わせと"
        "同じ言語のテンプレートから、正式な回答の期限を伝える返信を作ります。同じ一報を二度"
        "送ることはありません。"
    ),
    "the item id from `ippo pending --json`": "`ippo pending --json` が表示する id",
    "template name (default: received)": "テンプレート名（既定: received）",
    "when the full answer will come: 1d, 2d, 36h, nbd (end of the next business day, the "
    "default) or a local time like 2025-11-27T12:00": (
        "正式な回答の期限: 1d、2d、36h、nbd（翌営業日の終業時刻、既定）、または "
        "2025-11-27T12:00 のような日時"
    ),
    "default: the inquiry's": "既定: 問い合わせの言語",
    "print the message; send and record nothing": "メールを表示するだけで、送信も記録もしません",
    "send a new acknowledgement in place of one whose sending was interrupted and could not "
    "be confirmed (only after you checked it did not arrive)": (
        "送信が中断して確認できなかった一報の代わりに、新しい一報を送ります（届いていないことを"
        "確かめてからにしてください）"
    ),
    "mark the promise kept (answered another way)": (
        "約束を果たしたことにします（別の方法で回答した場合）"
    ),
    "print the result as JSON": "結果をJSONで出力します",
    "no waiting inquiry with id {id!r}; run `ippo pending --json` for the ids": (
        "id {id!r} の返信待ちはありません。`ippo pending --json` で id を確認してください"
    ),
    "the account {account!r} of {id!r} is no longer configured": (
        "{id!r} のアカウント {account!r} はもう設定されていません"
    ),
    "{id!r} has no acknowledgement to mark done": "{id!r} には完了にできる一報がありません",
    "Marked done: {id}": "完了にしました: {id}",
    "{id!r} has no acknowledgement to retry": "{id!r} には再送できる一報がありません",
    "account '{name}' has no SMTP server; add it again with --smtp-host HOST (see "
    "`ippo account add --help`)": (
        "アカウント '{name}' にSMTPサーバーが設定されていません。--smtp-host HOST を付けて"
        "追加し直してください（`ippo account add --help` を参照）"
    ),
    "Dry run: nothing sent or recorded": "確認のみ: 送信も記録もしていません",
    "Promised: {when}": "回答の約束: {when}",
    "note: {note}": "お知らせ: {note}",
    "warning: {warning}": "注意: {warning}",
    "acknowledgement not sent: {reason}": "一報は送信されていません: {reason}",
    "it is being sent right now (from another window or command), or that was "
    "interrupted: it may or may not have gone out; try again in a minute, or check "
    "Sent and use --retry": (
        "ほかのウィンドウかコマンドがいま送信中か、その送信が中断されました。"
        "送られたかどうかはまだわかりません。1分ほどしてからもう一度お試しいただくか、"
        "送信済みフォルダーを確認してから --retry を使ってください"
    ),
    "this inquiry was already acknowledged": "この問い合わせにはもう一報を送っています",
    "a newer acknowledgement replaced this one; it is never sent": (
        "新しい一報に置き換えられたため、この一報は送信されません"
    ),
    "Ippo could not write this reply safely ({detail}); nothing was sent": (
        "この返信は安全に作れませんでした（{detail}）。何も送信していません"
    ),
    " (retryable)": "（再試行できます）",
    "Sent acknowledgement ({state})": "一報を送信しました（{state}）",
    "Completed acknowledgement ({state})": "一報の送信を完了しました（{state}）",
    # -- watch
    "stay connected and print a line whenever what waits (or an inbox's health) changes": (
        "接続したまま、返信待ち（または受信箱の状態）が変わるたびに1行出力します"
    ),
    "Keep every inbox connected (IMAP IDLE) and print one line per change of the waiting set or "
    "of an account's health, and once a minute. Stop with Ctrl-C.": (
        "すべての受信箱に接続したまま（IMAP IDLE）、返信待ちやアカウントの状態が変わるたびと、"
        "1分ごとに1行出力します。Ctrl-C で終了します。"
    ),
    "one JSON object per line (the default)": "1行に1つのJSONオブジェクト（既定）",
    "json (default) or waybar (Waybar custom-module JSON, one line per update)": (
        "json（既定）または waybar（Waybar のカスタムモジュール用JSON、更新ごとに1行）"
    ),
    "network tuning (the defaults are what Ippo promises)": (
        "ネットワークの調整（既定値が Ippo の約束する値です）"
    ),
    "prove each connection alive this often (default 45)": (
        "この秒数ごとに接続が生きているか確認します（既定 45）"
    ),
    "a server silent for this long is gone (default 15; keepalive + timeout is the longest a "
    "dead connection can go unnoticed)": (
        "この秒数応答のないサーバーは切断とみなします（既定 15。keepalive + timeout が、"
        "切れた接続に気づくまでの最長時間です）"
    ),
    "re-check the Sent folder at least this often (default 300)": (
        "送信済みフォルダーを少なくともこの秒数ごとに確認し直します（既定 300）"
    ),
    "print a line at least this often even when nothing changed (default 60)": (
        "変化がなくても、少なくともこの秒数ごとに1行出力します（既定 60）"
    ),
    "no accounts yet; add one with `ippo account add`": (
        "アカウントがまだありません。`ippo account add` で追加してください"
    ),
    "cannot write the log file: {error}": "ログファイルに書き込めません: {error}",
    "add the account again with `ippo account add ... --password-stdin`": (
        "`ippo account add ... --password-stdin` でアカウントを追加し直してください"
    ),
    # -- watch --format waybar: the tooltip (the same words as the tray's)
    "Nothing waits for a reply": "返信待ちはありません",
    "Nothing known to wait — not every inbox is watched": (
        "見守れていない受信箱があるため、返信待ちがないとは言えません"
    ),
    "No inbox is watched yet: add one from this menu": (
        "まだ受信箱を見守っていません。このメニューから追加してください"
    ),
    "{waiting} waiting: {overdue} overdue · {urgent} urgent · {warning} warning · {calm} calm": (
        "返信待ち {waiting}件：期限切れ {overdue} · 至急 {urgent} · 注意 {warning} · 余裕 {calm}"
    ),
    "{count} acknowledged, promise pending": "一報済み・回答待ち {count}件",
    "{count} acknowledged, {late} of them past the promised time": (
        "一報済み・回答待ち {count}件（うち{late}件は約束の期限切れ）"
    ),
    "Next: {sender} — {subject} ({left} left)": "次の期限：{sender}「{subject}」あと{left}",
    "Overdue: {sender} — {subject} ({left} late)": "期限切れ：{sender}「{subject}」{left}超過",
    "NOT covered: {account} — {health}": "見守れていません：{account} — {health}",
    "connected": "接続済み",
    "connecting": "接続中",
    "retrying": "再接続待ち",
    "error": "エラー",
    "{state}: {reason}": "{state}：{reason}",
    # -- account set / working hours (issue 13)
    "change an inbox's settings in place (keeps everything you decided)": (
        "受信箱の設定をその場で変更します（これまでの判断はすべて残ります）"
    ),
    "Change any setting of an inbox, in place: what you dismissed, ignored and acknowledged "
    "stays. A changed login (server, port, security, user name, CA or password) is tested "
    "before anything is saved.": (
        "受信箱の設定をその場で変更します。対応済み・無視・一報済みの記録はそのまま残ります。"
        "ログインに関わる変更（サーバー、ポート、暗号化、ユーザー名、CA、パスワード）は、"
        "保存の前に接続を確認します。"
    ),
    "the inbox to change": "変更する受信箱",
    "working hours": "営業時間",
    "IANA time zone such as Asia/Tokyo (default: the system's; 'system' resets)": (
        "Asia/Tokyo のような IANA タイムゾーン（既定: システムの設定。'system' で元に戻します）"
    ),
    "e.g. 'mon-fri 09:00-18:00' or 'mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00'; "
    "'always' (the default) counts around the clock": (
        "例: 'mon-fri 09:00-18:00'、'mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00'。"
        "'always'（既定）は24時間数えます"
    ),
    "skip this country's public holidays: jp, us, de, ... ('none' for none)": (
        "この国の祝日を除きます: jp、us、de など（除かないときは 'none'）"
    ),
    "your own days off: 2026-12-29..2027-01-03,2027-05-06 ('none' for none)": (
        "独自の休業日: 2026-12-29..2027-01-03,2027-05-06 のように指定（なしは 'none'）"
    ),
    # -- report (issue 14)
    "how well the reply promise was kept, week by week": (
        "返信の約束をどれだけ守れたかを週ごとに表示します"
    ),
    "The trust record: per week (and month), per account and in total, how many inquiries "
    "came, how many were first answered within the window, the median and 90th-percentile "
    "first-reply time, the longest wait, how many went overdue, and the promises made and "
    "kept. Builds the history from INBOX and Sent on first use.": (
        "信頼の記録: 週（と月）ごと、アカウントごと、全体で、届いた問い合わせの数、期限内に"
        "最初の返信をした数、最初の返信までの時間の中央値と90パーセンタイル、最長の待ち時間、"
        "期限切れになった数、した約束と守った約束を表示します。初回は受信箱と送信済みから"
        "履歴を作ります。"
    ),
    "the last N weeks (default 12)": "直近 N 週間（既定 12）",
    "from the week of DATE (ISO)": "DATE（ISO形式）の週から",
    "only this account": "このアカウントだけ",
    "a JSON object: total, weeks, months": "JSONオブジェクト（total、weeks、months）で出力します",
    "CSV rows for a spreadsheet": "表計算ソフト用のCSVで出力します",
    "Reading history": "履歴を読み込み中",
    "Week of": "週（月曜から）",
    "Month": "月",
    "Inquiries": "問い合わせ",
    "In window": "期限内",
    "Share": "期限内率",
    "Median": "中央値",
    "Longest": "最長待ち",
    "Overdue": "期限超過",
    "Promises kept": "約束を守った",
    "Total": "合計",
    " (from {day})": "（{day}〜）",
    "This week: {sentence}": "{sentence}",  # the Japanese sentence begins with 今週
    # -- account: messages
    "Password: ": "パスワード: ",
    "no password on standard input": "標準入力にパスワードがありません",
    "--name must be a non-empty single-line name": "--name には空でない1行の名前を指定してください",
    "no accounts; add one with: ippo account add --name NAME --email ADDR --imap-host HOST "
    "--password-stdin": (
        "アカウントがありません。次のように追加してください: ippo account add --name NAME "
        "--email ADDR --imap-host HOST --password-stdin"
    ),
    "choose add, set, list or remove": "add、set、list、remove のどれかを指定してください",
    "added {name} ({email}, {host}:{port})": "{name} を追加しました（{email}、{host}:{port}）",
    "removed {name}": "{name} を削除しました",
    "updated {name}: {changes}": "{name} を更新しました: {changes}",
    "not a port number: {text}": "ポート番号ではありません: {text}",
    "must be positive: {text}": "正の数を指定してください: {text}",
    "--email does not look like an address: {email}": (
        "--email がメールアドレスに見えません: {email}"
    ),
    "an account named {name!r} already exists": "{name!r} という名前のアカウントはすでにあります",
    "--ca-file {path}: no such file": "--ca-file {path}: ファイルがありません",
    "{reason}; nothing was saved": "{reason}（何も保存していません）",
    "the inbox works, but sending through {host} does not: {reason}; nothing was saved (add "
    "--skip-smtp-test to save anyway)": (
        "受信箱には接続できましたが、{host} からは送信できません: {reason}（何も保存していません。"
        "それでも保存するには --skip-smtp-test を付けてください）"
    ),
    "no account named {name!r}": "{name!r} という名前のアカウントはありません",
    "{reason}; the account was not removed": "{reason}（アカウントは削除していません）",
    "{name}: nothing to change": "{name}: 変更点はありません",
    "no password for {name!r} in the OS keyring; give one with --password-stdin": (
        "OSのキーリングに {name!r} のパスワードがありません。--password-stdin で指定してください"
    ),
    # -- away, snooze, quiet hours, batch ack (the working-hours clock)
    "pause every deadline while you are away (set, clear)": (
        "不在の間、すべての返信期限を止めます（set, clear）"
    ),
    "hold one item's notifications until a later time (its deadline stays)": (
        "1件の通知を後の時刻まで控えます（期限は変わりません）"
    ),
    "hold notifications during quiet hours (set, clear)": (
        "通知を控える時間帯を設定します（set, clear）"
    ),
    "the item id from `ippo pending --json`; several ids send one first word to each (e.g. on "
    "return from an absence), each a proper reply, exactly once": (
        "`ippo pending --json` に表示される ID。複数指定すると、それぞれに一報を送ります"
        "（不在から戻ったときなど）。どれも正式な返信として、一度だけ送ります"
    ),
    "While away, deadlines pause (what arrives is due as if it arrived when you are back) and "
    "notifications are held. Without a subcommand: show the absence.": (
        "不在の間は返信期限が止まり（その間に届いたメールは戻った時点から数えます）、通知も"
        "控えます。サブコマンドなしでは不在の予定を表示します。"
    ),
    "away until UNTIL": "UNTIL まで不在にします",
    "back now: end the absence (or drop a planned one)": (
        "戻りました: 不在を終えます（予定中の不在は取り消します）"
    ),
    "UNTIL and WHEN: 2026-12-10 (the start of that day), 2026-12-10T09:00, 13:00, 3d, 12h, "
    "tomorrow; times without an offset are in the system's time zone.": (
        "UNTIL と WHEN: 2026-12-10（その日の始まり）、2026-12-10T09:00、13:00、3d、12h、"
        "tomorrow。時差のない時刻はシステムのタイムゾーンです。"
    ),
    "when you are back": "戻る日時",
    "when you leave (now)": "出かける日時（既定: 今）",
    "answer each new sender once, automatically, that you are away (an RFC 3834 auto-reply; "
    "never to automated, list, bulk or own mail; needs the account's SMTP)": (
        "新しい送信者には一度だけ、不在であることを自動で返信します（RFC 3834 の自動応答。"
        "自動送信・メーリングリスト・一斉配信・自分のメールには送りません。SMTP の設定が必要です）"
    ),
    "Its notifications wait until WHEN; its deadline, its place in the list and the badge do "
    "not change. WHEN: 1h, 30m, 13:00, this-afternoon, tomorrow (09:00), or a time such as "
    "2026-12-10T09:00; off ends the snooze.": (
        "WHEN まで通知を控えます。期限・一覧での順番・バッジは変わりません。WHEN: 1h、30m、"
        "13:00、this-afternoon、tomorrow（9時）、または 2026-12-10T09:00 のような日時。"
        "off で元に戻します。"
    ),
    "the item's id from `ippo pending --json`": "`ippo pending --json` に表示される ID",
    "1h, 30m, 13:00, this-afternoon, tomorrow, ... or off": (
        "1h、30m、13:00、this-afternoon、tomorrow など、または off"
    ),
    "Quiet hours: notifications wait and come as one summary when they end; one warning at "
    "their start lists what will pass its deadline before they end.": (
        "通知を控える時間帯: その間の通知は終わったときにまとめて1回届きます。始まるときに、"
        "その間に期限を過ぎるものを一度だけお知らせします。"
    ),
    "quiet hours, e.g. 22:00-07:30 (system time zone)": (
        "通知を控える時間帯。例: 22:00-07:30（システムのタイムゾーン）"
    ),
    "no quiet hours": "通知を控える時間帯はありません",
    " (automatic first word on)": "（自動の一報あり）",
    "away from {start} until {until}": "{start} から {until} まで不在",
    "back: the absence is cleared": "おかえりなさい: 不在を終えました",
    "not away": "不在の予定はありません",
    "away until {until}": "{until} まで不在",
    "quiet hours {hours}": "通知を控える時間帯: {hours}",
    "must lie in the future: {spec!r}": "未来の時刻を指定してください: {spec!r}",
    "no waiting item {id!r} (see `ippo pending --json`)": (
        "返信待ちに {id!r} はありません（`ippo pending --json` で確認してください）"
    ),
    "{id}: notifications back on": "{id}: 通知を元に戻しました",
    "{id}: notifications wait until {until}; the deadline stays {due}": (
        "{id}: {until} まで通知を控えます。期限は {due} のままです"
    ),
    "Away until {until}: deadlines paused, notifications held": (
        "{until} まで不在：期限は止まり、通知は控えています"
    ),
    # -- broken local state, interruption (issue 9)
    "interrupted": "中断しました",
    "{count} acknowledgement(s)": "一報 {count} 件",
    "{count} dismissal(s)": "対応済み・対象外の指定 {count} 件",
    "{count} ignored sender(s)": "無視する送信者 {count} 件",
    "{count} notification record(s)": "通知の記録 {count} 件",
    "{count} snooze(s)": "スヌーズ {count} 件",
    "{count} message(s) of the weekly record": "週間記録のメール {count} 通",
    # why the state file was taken for damaged (trayapp/store/db.py, then SQLite's words)
    "the file is empty": "ファイルが空でした",
    "file is not a database": "データベースのファイルではありませんでした",
    "database disk image is malformed": "データベースの中身が壊れていました",
    "nothing": "なし",
    (
        "{file} was damaged ({reason}); it was moved aside to {moved} and a fresh one "
        "started; recovered: {kept}"
    ): (
        "{file} が壊れていたため（{reason}）、{moved} に退避して新しく作り直しました。"
        "取り戻せたもの: {kept}"
    ),
    " ({count} acknowledgement(s) not yet sent: check them)": (
        "（まだ送られていない一報が {count} 件あります。確認してください）"
    ),
    # -- ippo ack / pending: recipients and acknowledgements that did not go out (issue 9)
    "send to this address only (one of the inquiry's Reply-To addresses or its From); needed "
    "when the reply would go to more than 3 addresses or to a Reply-To on another domain than "
    "the sender": (
        "この宛先だけに送ります（問い合わせの Reply-To のいずれか、または差出人）。宛先が4件以上、"
        "または差出人と別のドメインの Reply-To に返信するときに必要です"
    ),
    "[may not have been sent: check, then `ippo ack {id} --retry`]": (
        "［送信できたか不明: 確認してから `ippo ack {id} --retry`］"
    ),
    "[not sent: send it with `ippo ack {id}`]": "［未送信: `ippo ack {id}` で送れます］",
    "; ": "。",
    "not sent: {reason}; name the recipient with --to ADDRESS (see them all with --dry-run)": (
        "送信していません: {reason}。--to ADDRESS で宛先を指定してください（宛先の一覧は "
        "--dry-run で確認できます）"
    ),
    "the reply would go to {count} addresses (Reply-To), not only to the sender": (
        "返信が差出人だけでなく {count} 件の宛先（Reply-To）に送られます"
    ),
    "the Reply-To ({addresses}) is on another domain than the sender ({sender})": (
        "返信先（Reply-To: {addresses}）が差出人（{sender}）と別のドメインです"
    ),
    "once you checked it did not arrive: `ippo ack {id} --retry`": (
        "届いていないことを確かめたら `ippo ack {id} --retry`"
    ),
    "not sent: {address} is not an address of this inquiry; --to takes one of: {addresses}": (
        "送信していません: {address} はこの問い合わせのアドレスではありません。--to には次の"
        "いずれかを指定してください: {addresses}"
    ),
    "note: {reason}; sending needs --to ADDRESS": (
        "注意: {reason}。送信するには --to ADDRESS が必要です"
    ),
    "the acknowledgement recorded {when} was not sent ({reason}); this new one, with a "
    "promise made now, replaces it": (
        "{when} に記録した一報は送信されていません（{reason}）。いま決めた期限で新しい一報を送り、"
        "それに置き換えました"
    ),
    # -- account: signing in with OAuth (commands/account_oauth.py)
    "signing in with OAuth 2.0 (Gmail, Outlook.com, Microsoft 365, OpenID Connect)": (
        "OAuth 2.0 でのサインイン（Gmail、Outlook.com、Microsoft 365、OpenID Connect）"
    ),
    "password (with --password-stdin, the default) or oauth2 (a browser sign-in)": (
        "password（--password-stdin と共に使う既定の方法）または oauth2（ブラウザーでサインイン）"
    ),
    "an OpenID Connect provider's issuer URL (https; http only on this machine)": (
        "OpenID Connect プロバイダーの issuer URL（https。http はこのパソコン上のサーバーのみ）"
    ),
    "this account's own client ID": "このアカウント専用の OAuth クライアントID",
    "google (Gmail, Google Workspace) or microsoft (Outlook.com, Hotmail, Microsoft 365)": (
        "google（Gmail、Google Workspace）または microsoft（Outlook.com、Hotmail、Microsoft 365）"
    ),
    "scopes, space-separated (default: the provider's mail scopes; 'openid email "
    "offline_access' for an issuer)": (
        "スコープ（空白区切り。既定: プロバイダーのメール用スコープ。issuer の場合は "
        "'openid email offline_access'）"
    ),
    "print the sign-in URL on stderr instead of opening the browser": (
        "ブラウザーを開かず、サインイン用のURLを標準エラー出力に表示します"
    ),
    "required unless --provider names the servers": (
        "--provider でサーバーが決まる場合を除き必須です"
    ),
    "read the password from standard input (one line); required with --auth password": (
        "パスワードを標準入力から1行読み取ります（--auth password では必須）"
    ),
    "sign in again (an OAuth account in 'error (sign in again)')": (
        "もう一度サインインします（「error (sign in again)」になった OAuth のアカウント）"
    ),
    "Sign in again in the browser; the new sign-in replaces the old one in the OS keyring "
    "after the IMAP login works.": (
        "ブラウザーでもう一度サインインします。IMAP にログインできたら、新しいサインイン情報が"
        "OSのキーリングの古いものと置き換わります。"
    ),
    "--auth oauth2 needs --provider google|microsoft or --oauth-issuer URL": (
        "--auth oauth2 には --provider google|microsoft か --oauth-issuer URL が必要です"
    ),
    "added {name} ({email}, {host}:{port}, signed in with {provider})": (
        "{name} を追加しました（{email}、{host}:{port}、{provider} でサインイン）"
    ),
    "account {name!r} signs in with a password; to change it, remove the account and add "
    "it again": (
        "アカウント {name!r} はパスワードでログインします。変更するには、アカウントを削除して"
        "追加し直してください"
    ),
    "{reason}; the old sign-in was kept": "{reason}（以前のサインインはそのままです）",
    "signed in again: {name}": "再サインインしました: {name}",
    "sign-in cancelled; nothing was saved": "サインインを中止しました（何も保存していません）",
    "--password-stdin and --auth oauth2 exclude each other": (
        "--password-stdin と --auth oauth2 は同時に指定できません"
    ),
    "the following arguments are required: --password-stdin (or --auth oauth2)": (
        "次の引数が必要です: --password-stdin（または --auth oauth2）"
    ),
    "--provider, --oauth-issuer, --oauth-client-id and --oauth-scope need --auth oauth2": (
        "--provider、--oauth-issuer、--oauth-client-id、--oauth-scope には --auth oauth2 が必要です"
    ),
    "the following arguments are required: --imap-host": "次の引数が必要です: --imap-host",
    # -- config.json (trayapp/config.py: ConfigError's sentences, trayapp.core.said.Said)
    "account {name!r}: {field} {rule} (not {value!r})": (
        "アカウント {name!r} の {field} は、{rule}（いまの値: {value!r}）"
    ),
    "must be a number above {low} and at most {high}": (
        "{low} より大きく {high} 以下の数にしてください"
    ),
    "must be a number at least {low} and at most {high}": (
        "{low} 以上 {high} 以下の数にしてください"
    ),
    "must be a whole number from {low} to {high}": "{low} から {high} までの整数にしてください",
    "must list at least one folder, and no empty name": (
        "フォルダーを1つ以上、空でない名前で挙げてください"
    ),
    "must name the IMAP server": "IMAPサーバーの名前を入れてください",
    "account {name!r}: {field} has a bad value: {value!r}": (
        "アカウント {name!r} の {field} の値が正しくありません（いまの値: {value!r}）"
    ),
    "account {name!r}: {field} must be {first!r} or {second!r}": (
        "アカウント {name!r} の {field} は {first!r} か {second!r} にしてください"
    ),
    "account {name!r}: {field}: {problem}": (
        "アカウント {name!r} の {field} を読み取れません: {problem}"
    ),
    "account {name!r}: {problem}": "アカウント {name!r} の設定に問題があります: {problem}",
    "account {name!r}: the name is used twice": (
        "アカウント名 {name!r} が2回使われています。どちらかの名前を変えてください"
    ),
    "account {name!r} in the config file has a bad 'auth' block": (
        "設定ファイルのアカウント {name!r} の auth（サインイン方法）の書き方が正しくありません"
    ),
    "account {name!r}: an OpenID Connect sign-in needs an 'issuer'": (
        "アカウント {name!r} の OpenID Connect のサインインには issuer が必要です"
    ),
    "account {name!r} in the config file lacks email or imap_host": (
        "設定ファイルのアカウント {name!r} に email か imap_host がありません"
    ),
    "an account in the config file has no name": (
        "設定ファイルに名前（name）のないアカウントがあります"
    ),
    "{path} is not valid JSON (line {line}): fix or move it away": (
        "{path} はJSONとして読めません（{line} 行目）。直すか、別の場所へ移してください"
    ),
    "{path} does not hold a JSON object": "{path} の中身がJSONのオブジェクトではありません",
    "{path} was written by a newer Ippo (version {version}); upgrade Ippo": (
        "{path} は新しい Ippo で書かれています（バージョン {version}）。Ippo を更新してください"
    ),
    "'accounts' must be a list of objects": "accounts はオブジェクトのリストにしてください",
    "'settings' must be an object": "settings はオブジェクトにしてください",
    "two accounts have the same name": "同じ名前のアカウントが2つあります",
    "cannot create {path}: {problem}": "{path} を作れません: {problem}",
    "cannot save {path}: {problem}": "{path} を保存できません: {problem}",
    # -- trayapp/core/schedule.py, calendars.py: working hours, days off, holidays, time zone
    "{field}: {problem}": "{field}: {problem}",
    "not a time of day in {text!r}": "{text!r} の時刻が正しくありません",
    "not a weekday in {text!r}: {token!r} (use mon, tue, wed, thu, fri, sat, sun)": (
        "{text!r} の {token!r} は曜日ではありません（mon, tue, wed, thu, fri, sat, sun で"
        "書いてください）"
    ),
    "no weekday in {text!r}": "{text!r} に曜日がありません",
    "{clause!r}: write days then times, e.g. 'mon-fri 09:00-18:00'": (
        "{clause!r}: 曜日、時間の順に書いてください（例: 'mon-fri 09:00-18:00'）"
    ),
    "not a time range in {text!r}: {piece!r}": (
        "{text!r} の {piece!r} は時間の範囲として読めません（例: 09:00-18:00）"
    ),
    "{piece!r} ends before it starts (split a night shift in two days)": (
        "{piece!r} は終わりが始まりより前です（夜をまたぐ勤務は2日に分けて書いてください）"
    ),
    "no working time in {text!r}": "{text!r} に勤務時間がありません",
    "not a date in {whole!r}: {piece!r} (use 2026-12-29)": (
        "{whole!r} の {piece!r} は日付として読めません（2026-12-29 の形で書いてください）"
    ),
    "{piece!r} ends before it starts": "{piece!r} は終わりが始まりより前です",
    "unknown time zone {zone!r} (use a name like Asia/Tokyo)": (
        "{zone!r} というタイムゾーンはありません（Asia/Tokyo のような名前で書いてください）"
    ),
    "no public holidays known for {code!r} (use a code like jp or us)": (
        "{code!r} の祝日は分かりません（jp や us のような国コードで書いてください）"
    ),
    # -- trayapp/core/when.py, quiet.py, away.py: times and periods a person typed
    "not a time of day: {text!r}": "{text!r} は時刻として読めません",
    "not a time: {text!r} (use 2026-12-10, 2026-12-10T09:00, 13:00, 1h, 30m, 2d, "
    "this-afternoon or tomorrow)": (
        "{text!r} は日時として読めません（2026-12-10、2026-12-10T09:00、13:00、1h、30m、2d、"
        "this-afternoon、tomorrow のように書いてください）"
    ),
    "not quiet hours: {text!r} (use a range like 22:00-07:30)": (
        "{text!r} は通知を控える時間として読めません（22:00-07:30 のような範囲で書いてください）"
    ),
    "that absence is already over": "その不在の期間はもう終わっています",
    "an absence must end after it starts": "不在の終わりは始まりより後にしてください",
    # -- trayapp/desktop/autostart.py: the login entry (start at login)
    "cannot write the login entry: {problem}": "ログイン時の起動の設定を書き込めません: {problem}",
    "cannot remove the login entry: {problem}": "ログイン時の起動の設定を削除できません: {problem}",
    "cannot write the login entry {path}: {problem}": (
        "ログイン時の起動の設定（{path}）を書き込めません: {problem}"
    ),
    "cannot remove the login entry {path}: {problem}": (
        "ログイン時の起動の設定（{path}）を削除できません: {problem}"
    ),
    # -- trayapp/disk.py: Ippo's own files
    "the disk is full; free some space and try again": (
        "ディスクがいっぱいです。空き容量を作ってから、もう一度お試しください"
    ),
    "the folder is read-only or not yours; check its permissions": (
        "フォルダーが読み取り専用か、他のユーザーのものです。権限を確認してください"
    ),
    "the file cannot be opened; check the folder's permissions": (
        "ファイルを開けません。フォルダーの権限を確認してください"
    ),
}

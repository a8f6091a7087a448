"""Japanese UI text, kept here as the one table a reviewer reads; written into ippo_ja.ts.

After changing UI strings, from the repository root:
    .venv/bin/python resources/translations/fill_ja.py
It extracts every string of trayapp/ (pyside6-lupdate, dropping ones the code no longer
uses), fills in the table below, compiles ippo_ja.qm (pyside6-lrelease) and lists any string
that has no Japanese yet. tests/unit/test_translations.py fails until none is missing.
"""

JA = {
 ('AddInboxDialog', 'This provider needs an app password (create one in its security settings); your normal password will be refused.'): 'このプロバイダーでは「アプリパスワード」が必要です（アカウントのセキュリティ設定で作成してください）。通常のパスワードではログインできません。',
 ('AddInboxDialog', 'Enter your server name (svNNNN.xserver.jp) from the Xserver panel as the IMAP and SMTP host.'): 'IMAP・SMTPサーバーには、サーバーパネルに表示されるサーバー名（svNNNN.xserver.jp）を入力してください。',
 ('AddInboxDialog', 'Enter your initial domain (example.sakura.ne.jp) as the IMAP and SMTP host.'): 'IMAP・SMTPサーバーには、初期ドメイン（example.sakura.ne.jp）を入力してください。',
 ('AddInboxDialog', 'Enter the full email address.'): 'メールアドレスを正しく入力してください。',
 ('AddInboxDialog', 'Enter the password (or app password).'): 'パスワード（またはアプリパスワード）を入力してください。',
 ('AddInboxDialog', 'Enter the IMAP server of this address.'): 'このアドレスのIMAPサーバーを入力してください。',
 ('AddInboxDialog', 'An inbox with this name is already watched.'): '同じ名前の受信箱がすでに登録されています。',
 ('AddInboxDialog', 'Testing the connection to %1…'): '%1 への接続を確認しています…',
 ('AddInboxDialog', 'Could not log in: %1\nNothing was saved.'): 'ログインできませんでした：%1\n設定は保存されていません。',
 ('AddInboxDialog', 'The login works, but the password could not be stored: %1'): 'ログインはできましたが、パスワードを保存できませんでした：%1',
 ('AddInboxDialog', 'Connected. The inbox is now watched.'): '接続しました。この受信箱の見守りを始めます。',
 ('AddInboxDialog', 'Add inbox'): '受信箱を追加',
 ('AddInboxDialog', 'Which address do customers write to? Ippo watches it and tells you before a reply is due. The password is kept in your system keyring only.'): 'お客様からの問い合わせが届くアドレスを登録してください。Ippo が受信箱を見守り、返信期限の前にお知らせします。パスワードはOSのキーリングにだけ保存されます。',
 ('AddInboxDialog', 'Email address'): 'メールアドレス',
 ('AddInboxDialog', 'Password'): 'パスワード',
 ('AddInboxDialog', 'Provider'): 'プロバイダー',
 ('AddInboxDialog', 'Name in Ippo'): '表示名',
 ('AddInboxDialog', 'IMAP server'): 'IMAPサーバー',
 ('AddInboxDialog', 'IMAP port'): 'IMAPポート',
 ('AddInboxDialog', 'IMAP security'): 'IMAP暗号化',
 ('AddInboxDialog', 'User name (if not the address)'): 'ユーザー名（アドレスと異なる場合）',
 ('AddInboxDialog', 'SMTP server'): 'SMTPサーバー',
 ('AddInboxDialog', 'Extra trusted CA (PEM file)'): '追加で信頼するCA証明書（PEMファイル）',
 ('AddInboxDialog', 'only for a self-hosted server'): '自前のサーバーの場合のみ',
 ('AddInboxDialog', 'SMTP port'): 'SMTPポート',
 ('AddInboxDialog', 'SMTP security'): 'SMTP暗号化',
 ('AddInboxDialog', 'Server'): 'サーバー設定',
 ('AddInboxDialog', 'Other (custom)'): 'その他（手動設定）',
 ('AddInboxDialog', 'Test and save'): '接続を確認して保存',
 ('AddInboxDialog', 'info@your-shop.jp'): 'info@your-shop.jp',
 ('Messages', 'Ippo'): 'Ippo',
 ('Messages', 'No system tray was found.'): 'システムトレイが見つかりません。',
 ('Messages', "Ippo lives in the system tray, and this desktop has none running. On GNOME, install the AppIndicator extension; elsewhere enable the panel's tray area. Meanwhile `ippo watch` or `ippo pending` show what waits."): 'Ippo はシステムトレイに常駐するアプリですが、このデスクトップではトレイが動いていません。GNOME では AppIndicator 拡張機能を入れ、その他の環境ではパネルのトレイ領域を有効にしてください。それまでは `ippo watch` や `ippo pending` で返信待ちを確認できます。',
 ('Messages', 'No secure keyring is available.'): '安全なキーリングが使えません。',
 ('Messages', 'Ippo keeps mail passwords only in the system keyring and never in a file. Unlock or install a keyring (GNOME Keyring, KWallet, Windows Credential Manager, macOS Keychain) and try again. Nothing was saved.'): 'Ippo はメールのパスワードをOSのキーリングにだけ保存し、ファイルには書きません。キーリング（GNOME Keyring、KWallet、Windows 資格情報マネージャー、macOS キーチェーン）のロックを解除するか導入してから、もう一度お試しください。何も保存されていません。',
 ('Notification', '{sender}: reply within {left}'): '{sender}：あと{left}で返信期限',
 ('Notification', '{sender}: reply overdue by {left}'): '{sender}：返信期限を{left}過ぎています',
 ('Notification', '{count} inquiries need a reply'): '返信待ちの問い合わせが{count}件あります',
 ('Notification', '{sender} — {left} left'): '{sender} — あと{left}',
 ('Notification', '{sender} — {left} overdue'): '{sender} — {left}超過',
 ('Notification', '…and {count} more'): '…ほか{count}件',
 ('Notification', '(no subject)'): '（件名なし）',
 ('PendingWindow', 'Ippo — waiting for a reply'): 'Ippo — 返信待ち',
 ('PendingWindow', 'Send first reply (A)'): '一報を送る (A)',
 ('PendingWindow', 'Acknowledge: send a short reply saying when the full answer comes (Enter)'): '受け取りの連絡と、正式な回答の目安を伝える短い返信を送ります (Enter)',
 ('PendingWindow', 'Answered (D)'): '対応済み (D)',
 ('PendingWindow', 'Mark as answered (by phone, in person, from another app)'): '対応済みにする（電話・対面・他のアプリで返信した場合）',
 ('PendingWindow', 'Not an inquiry'): '問い合わせではない',
 ('PendingWindow', 'Not an inquiry: this message (N)'): 'このメールは問い合わせではない (N)',
 ('PendingWindow', 'Always ignore this sender (I)'): 'この送信者を今後無視する (I)',
 ('PendingWindow', 'Open in mail (O)'): 'メールで開く (O)',
 ('PendingWindow', 'Nothing waits for a reply.'): '返信待ちのメールはありません。',
 ('PendingWindow', 'Waiting for a reply (%n)'): '返信待ち（%n件）',
 ('PendingWindow', 'Acknowledged — promised answer (%n)'): '一報済み — 回答の約束（%n件）',
 ('PendingWindow', '(no subject)'): '（件名なし）',
 ('PendingWindow', '%1 late'): '%1超過',
 ('PendingWindow', '%1 left'): 'あと%1',
 ('PendingWindow', 'Promised answer by %1'): '回答の約束：%1 まで',
 ('PendingWindow', 'Reply due by %1'): '返信期限：%1',
 ('PendingWindow', 'Not covered: %1 — %2'): '見守れていません：%1 — %2',
 ('PendingWindow', 'Done (D)'): '回答済み (D)',
 ('PendingWindow', 'connecting'): '接続中',
 ('PendingWindow', 'retrying at %1'): '再接続待ち（%1 に再試行）',
 ('PendingWindow', 'retrying'): '再接続待ち',
 ('PendingWindow', 'error: %1'): 'エラー：%1',
 ('PendingWindow', 'error'): 'エラー',
 ('SettingsDialog', '%1: the urgent lead must be shorter than the warning lead, and both shorter than the response window.'): '%1：「至急」の時間は「注意」より短く、どちらも返信期限より短くしてください。',
 ('SettingsDialog', 'Ippo settings'): 'Ippo の設定',
 ('SettingsDialog', 'Inboxes'): '受信箱',
 ('SettingsDialog', 'General'): '全般',
 ('SettingsDialog', 'Add inbox…'): '受信箱を追加…',
 ('SettingsDialog', 'Remove'): '削除',
 ('SettingsDialog', 'Reply within'): '返信期限',
 ('SettingsDialog', 'Look back'): 'さかのぼる期間',
 ('SettingsDialog', 'Language'): '言語',
 ('SettingsDialog', 'System default'): 'システムの設定に従う',
 ('SettingsDialog', 'Start Ippo when I log in'): 'ログイン時に Ippo を起動する',
 ('Tooltip', 'Nothing waits for a reply'): '返信待ちはありません',
 ('Tooltip', '{count} acknowledged, promise pending'): '一報済み・回答待ち {count}件',
 ('Tooltip', 'Next: {sender} — {subject} ({left} left)'): '次の期限：{sender}「{subject}」あと{left}',
 ('Tooltip', 'Overdue: {sender} — {subject} ({left} late)'): '期限切れ：{sender}「{subject}」{left}超過',
 ('Tooltip', 'NOT covered: {account} — {health}'): '見守れていません：{account} — {health}',
 ('Tooltip', '(no subject)'): '（件名なし）',
 ('TrayController', 'Open list'): '返信待ちを開く',
 ('TrayController', 'Add inbox…'): '受信箱を追加…',
 ('TrayController', 'Settings…'): '設定…',
 ('TrayController', 'Start at login'): 'ログイン時に起動',
 ('TrayController', 'Quit Ippo'): 'Ippo を終了',
 ('Health', 'connected'): '接続済み',
 ('AckDialog', 'The promised time is not in the text any more; add: %1'): '本文から約束の日時が消えています。次を書き足してください：%1',
 ('AckDialog', 'Sending…'): '送信中…',
 ('AckDialog', 'Sent.'): '送信しました。',
 ('AckDialog', 'Not sent: %1'): '送信できませんでした：%1',
 ('AckDialog', 'Quick acknowledgement'): '一報を送る',
 ('AckDialog', 'From:'): '差出人：',
 ('AckDialog', 'Subject:'): '件名：',
 ('AckDialog', 'Message:'): '本文：',
 ('AckDialog', 'Template:'): 'テンプレート：',
 ('AckDialog', 'Full answer by:'): '正式な回答の期限：',
 ('AckDialog', '+1 day'): '1日後',
 ('AckDialog', '+2 days'): '2日後',
 ('AckDialog', 'End of the next business day'): '翌営業日の終業時刻',
 ('AckDialog', 'A chosen time'): '日時を指定',
 ('AckDialog', 'Send'): '送信',
 ('AckDialog', 'Retry'): '再送信',
 ('Health', 'connecting'): '接続中',
 ('Health', 'retrying at %1'): '再接続待ち（%1 に再試行）',
 ('Health', 'retrying'): '再接続待ち',
 ('Health', 'error: %1'): 'エラー：%1',
 ('Health', 'error'): 'エラー',
 ('QuitConfirmation', 'Quit Ippo?'): 'Ippo を終了しますか？',
 ('QuitConfirmation', 'While Ippo is closed, nobody watches your inboxes: no reminder comes before a reply is due. Quit anyway?'): 'Ippo を閉じている間は受信箱を見守れず、返信期限が近づいてもお知らせできません。終了しますか？',
 ('QuitConfirmation', 'Quit'): '終了する',
 ('QuitConfirmation', 'Keep running'): '起動したままにする',
 ('QuitConfirmation', "Don't ask again"): '次回から確認しない',
 ('IppoApp', 'The inquiry is in the inbox of %1 (%2): “%3” from %4.'): '問い合わせは %1（%2）の受信箱にあります：%4 さんからの「%3」',
 ('IppoApp', 'No mail program is set up on this computer, so nothing was opened.'): 'このパソコンにはメールソフトが設定されていないため、何も開けませんでした。',
 ('IppoApp', 'No web browser is set up on this computer, so nothing was opened.'): 'このパソコンにはウェブブラウザーが設定されていないため、何も開けませんでした。',
 ('IppoApp', 'A reply draft opened in your mail program (mail programs cannot be asked to show one particular message).'): 'メールソフトで返信の下書きを開きました（メールソフトに特定の1通を表示させることはできません）。',
 ('Startup', 'Ippo could not start: %1'): 'Ippo を起動できませんでした：%1',
 ('TrayController', 'Fix “%1”…'): '「%1」の接続を直す…',
 ('NewPasswordDialog', 'Enter the new password'): '新しいパスワードの入力',
 ('NewPasswordDialog', '%1 (%2) is not watched at the moment.'): '%1（%2）は現在見守れていません。',
 ('NewPasswordDialog', 'New password (or app password)'): '新しいパスワード（またはアプリパスワード）',
 ('NewPasswordDialog', 'Test and save'): '接続を確認して保存',
 ('NewPasswordDialog', 'Enter the password (or app password).'): 'パスワード（またはアプリパスワード）を入力してください。',
 ('NewPasswordDialog', 'Testing the connection to %1…'): '%1 への接続を確認しています…',
 ('NewPasswordDialog', 'Could not log in: %1\nNothing was saved.'): 'ログインできませんでした：%1\nパスワードは保存されていません。',
 ('NewPasswordDialog', 'The login works, but the password could not be stored: %1'): 'ログインはできましたが、パスワードを保存できませんでした：%1',
 ('AckDialog', 'It may or may not have gone out: the connection broke just as it was sent. Look in Sent (or wait for the customer) before you press Retry.'): '送信の瞬間に接続が切れたため、届いたかどうか分かりません。送信済みフォルダーを確認してから（またはお客様の反応を待ってから）再送信してください。',
 ('AckDialog', 'It is being sent right now (from another window or command). Try again in a minute.'): 'ちょうど今、別のウィンドウかコマンドから送信中です。1分ほどしてからもう一度お試しください。',
 ('AckDialog', 'This inquiry was already acknowledged.'): 'この問い合わせには、すでに一報を送っています。',
 ('AckDialog', 'Ippo has no password for this inbox. Enter it again (tray menu: Fix).'): 'この受信箱のパスワードが保存されていません。もう一度入力してください（トレイのメニューの「接続を直す」から）。',
 ('Language', 'en'): 'ja',  # the catalog names its own language (i18n.ui_language)
 ('Duration', '{d}d'): '{d}日',
 ('Duration', '{h}h'): '{h}時間',
 ('Duration', '{m}m'): '{m}分',
 ('Duration', '{d}d {h}h'): '{d}日{h}時間',
 ('Duration', '{h}h {m:02d}m'): '{h}時間{m}分',
 ('IppoApp', 'Ippo'): 'Ippo',
 ('IppoApp', 'No program is set up to open this link:\n%1'): 'このリンクを開くプログラムが設定されていません：\n%1',
 ('IppoApp', 'Remove inbox'): '受信箱の削除',
 ('IppoApp', 'Stop watching %1? Its password is deleted from the keyring and what Ippo remembers about it is forgotten. The mailbox itself is not changed.'): '%1 の見守りをやめますか？パスワードはキーリングから削除され、Ippo がこの受信箱について覚えていること（対応済みの印、無視する送信者、回答の約束）も消えます。メールボックス自体は変更されません。',
 ('SettingsDialog', 'Name shown to customers'): 'お客様に見える差出人名',
 ('SettingsDialog', 'Signature (Japanese replies)'): '署名（日本語の返信）',
 ('SettingsDialog', 'Signature (English replies)'): '署名（英語の返信）',
 ('SettingsDialog', 'e.g. Sample Shop, Taro Suzuki'): '例：一報商店 鈴木 太郎',
 ('SettingsDialog', '%1 before the deadline'): '期限の%1前',
 ('SettingsDialog', '%1 after it arrives'): '受信から%1以内',
 ('SettingsDialog', 'the last %1 days'): '過去%1日分',
 ('SettingsDialog', 'Warning'): '「注意」にする時刻',
 ('SettingsDialog', 'Urgent'): '「至急」にする時刻',
 ('Tooltip', 'Nothing known to wait — not every inbox is watched'): '見守れていない受信箱があるため、返信待ちがないとは言えません',
 ('Tooltip', 'No inbox is watched yet: add one from this menu'): 'まだ受信箱を見守っていません。このメニューから追加してください',
 ('Tooltip', '{waiting} waiting: {overdue} overdue · {urgent} urgent · {warning} warning · {calm} calm'): '返信待ち {waiting}件：期限切れ {overdue} · 至急 {urgent} · 注意 {warning} · 余裕 {calm}',
 ('Tooltip', '{count} acknowledged, {late} of them past the promised time'): '一報済み・回答待ち {count}件（うち{late}件は約束の期限切れ）',
}


def main() -> int:
    import subprocess
    import sys
    import xml.etree.ElementTree as ET
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    ts = root / "resources" / "translations" / "ippo_ja.ts"
    tools = Path(sys.executable).parent
    sources = sorted(str(p.relative_to(root)) for p in (root / "trayapp").rglob("*.py"))
    subprocess.run(
        [tools / "pyside6-lupdate", "-locations", "none", "-no-obsolete", *sources, "-ts", ts],
        cwd=root, check=True,
    )
    tree = ET.parse(ts)
    missing = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name")
        for message in context.findall("message"):
            source = message.findtext("source")
            translation = message.find("translation")
            assert translation is not None
            ja = JA.get((name, source))
            if ja is None:
                missing.append((name, source))
                continue
            if message.get("numerus") == "yes":
                for form in list(translation):
                    translation.remove(form)
                ET.SubElement(translation, "numerusform").text = ja
                translation.text = None
            else:
                translation.text = ja
            translation.attrib.pop("type", None)
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    qm = ts.with_suffix(".qm")
    subprocess.run([tools / "pyside6-lrelease", ts, "-qm", qm], cwd=root, check=True)
    for context, source in missing:
        print(f"no Japanese yet: [{context}] {source}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())

<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ja_JP">
<context>
    <name>AccountEditor</name>
    <message>
        <source>Enter the full email address.</source>
        <translation>メールアドレスを正しく入力してください。</translation>
    </message>
    <message>
        <source>Enter the IMAP server of this address.</source>
        <translation>このアドレスのIMAPサーバーを入力してください。</translation>
    </message>
    <message>
        <source>Server and sign-in: %1</source>
        <translation>サーバーとログイン：%1</translation>
    </message>
    <message>
        <source>Test and save</source>
        <translation>確認して保存</translation>
    </message>
    <message>
        <source>Leave empty to keep the stored password</source>
        <translation>空欄のままなら保存済みのパスワードを使います</translation>
    </message>
    <message>
        <source>Receiving (IMAP)</source>
        <translation>受信（IMAP）</translation>
    </message>
    <message>
        <source>Sending (SMTP)</source>
        <translation>送信（SMTP）</translation>
    </message>
    <message>
        <source>Test sending too (untick to save anyway)</source>
        <translation>送信も確認する（外すと確認せずに保存します）</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>サーバー</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>ポート</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>暗号化</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>ユーザー名</translation>
    </message>
    <message>
        <source>the email address</source>
        <translation>メールアドレスと同じ</translation>
    </message>
    <message>
        <source>the IMAP user name</source>
        <translation>IMAPのユーザー名と同じ</translation>
    </message>
</context>
<context>
    <name>AckDialog</name>
    <message>
        <source>The promised time is not in the text any more; add: %1</source>
        <translation>本文から約束の日時が消えています。次を書き足してください：%1</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>送信中…</translation>
    </message>
    <message>
        <source>Sent.</source>
        <translation>送信しました。</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>送信できませんでした：%1</translation>
    </message>
    <message>
        <source>It may or may not have gone out: the connection broke just as it was sent. Look in Sent (or wait for the customer) before you press Retry.</source>
        <translation>送信の瞬間に接続が切れたため、届いたかどうか分かりません。送信済みフォルダーを確認してから（またはお客様の反応を待ってから）再送信してください。</translation>
    </message>
    <message>
        <source>It is being sent right now (from another window or command). Try again in a minute.</source>
        <translation>ちょうど今、別のウィンドウかコマンドから送信中です。1分ほどしてからもう一度お試しください。</translation>
    </message>
    <message>
        <source>This inquiry was already acknowledged.</source>
        <translation>この問い合わせには、すでに一報を送っています。</translation>
    </message>
    <message>
        <source>Ippo has no password for this inbox. Enter it again (tray menu: Fix).</source>
        <translation>この受信箱のパスワードが保存されていません。もう一度入力してください（トレイのメニューの「接続を直す」から）。</translation>
    </message>
    <message>
        <source>Ippo could not write this reply safely (%1); nothing was sent. Answer it from your mail program (Open in mail).</source>
        <translation>この返信は安全に作成できませんでした（%1）。何も送信していません。メールソフトから返信してください（「メールで開く」）。</translation>
    </message>
    <message>
        <source>Quick acknowledgement</source>
        <translation>一報を送る</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>差出人：</translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation>件名：</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>本文：</translation>
    </message>
    <message>
        <source>Template:</source>
        <translation>テンプレート：</translation>
    </message>
    <message>
        <source>Full answer by:</source>
        <translation>正式な回答の期限：</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>宛先：</translation>
    </message>
    <message>
        <source>+1 day</source>
        <translation>1日後</translation>
    </message>
    <message>
        <source>+2 days</source>
        <translation>2日後</translation>
    </message>
    <message>
        <source>End of the next business day</source>
        <translation>翌営業日の終業時刻</translation>
    </message>
    <message>
        <source>A chosen time</source>
        <translation>日時を指定</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>送信</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>再送信</translation>
    </message>
    <message>
        <source>Send to these recipients</source>
        <translation>この宛先に送る</translation>
    </message>
    <message>
        <source>I checked: the earlier one did not arrive</source>
        <translation>確認しました：以前の一報は届いていません</translation>
    </message>
    <message>
        <source>An earlier acknowledgement was interrupted while the server was accepting it and was not found in Sent: it may have reached the customer. Check with the customer or your provider's sent log first; then Send sends a new one with the promise below.</source>
        <translation>以前の一報は送信の途中で中断され、送信済みフォルダーにも見つかりません。お客様に届いている可能性があります。先にお客様やプロバイダーの送信履歴で確認してください。そのうえで「送信」を押すと、下の期限で新しい一報を送ります。</translation>
    </message>
    <message>
        <source>An earlier acknowledgement was not sent (%1). It will not go out on its own: Send sends a new one with the promise below.</source>
        <translation>以前の一報は送信されていません（%1）。自動で送られることはありません。「送信」を押すと、下の期限で新しい一報を送ります。</translation>
    </message>
    <message>
        <source>The reply would go to %1 addresses (Reply-To), not only to the sender.</source>
        <translation>この返信は差出人だけでなく、%1件の宛先（Reply-To）に送られます。</translation>
    </message>
    <message>
        <source>The Reply-To (%1) is on another domain than the sender (%2).</source>
        <translation>返信先（Reply-To: %1）が差出人（%2）とは別のドメインです。</translation>
    </message>
</context>
<context>
    <name>AddInboxDialog</name>
    <message>
        <source>This provider needs an app password (create one in its security settings); your normal password will be refused.</source>
        <translation>このプロバイダーでは「アプリパスワード」が必要です（アカウントのセキュリティ設定で作成してください）。通常のパスワードではログインできません。</translation>
    </message>
    <message>
        <source>Enter your server name (svNNNN.xserver.jp) from the Xserver panel as the IMAP and SMTP host.</source>
        <translation>IMAP・SMTPサーバーには、サーバーパネルに表示されるサーバー名（svNNNN.xserver.jp）を入力してください。</translation>
    </message>
    <message>
        <source>Enter your initial domain (example.sakura.ne.jp) as the IMAP and SMTP host.</source>
        <translation>IMAP・SMTPサーバーには、初期ドメイン（example.sakura.ne.jp）を入力してください。</translation>
    </message>
    <message>
        <source>Enter the full email address.</source>
        <translation>メールアドレスを正しく入力してください。</translation>
    </message>
    <message>
        <source>Enter the sign-in provider's address (issuer URL).</source>
        <translation>サインイン先のアドレス（issuer URL）を入力してください。</translation>
    </message>
    <message>
        <source>Enter the password (or app password).</source>
        <translation>パスワード（またはアプリパスワード）を入力してください。</translation>
    </message>
    <message>
        <source>Enter the IMAP server of this address.</source>
        <translation>このアドレスのIMAPサーバーを入力してください。</translation>
    </message>
    <message>
        <source>An inbox with this name is already watched.</source>
        <translation>同じ名前の受信箱がすでに登録されています。</translation>
    </message>
    <message>
        <source>Sign in in the browser window that opened. This window waits up to 5 minutes; Cancel stops it.</source>
        <translation>開いたブラウザーでサインインしてください。この画面は最大5分間お待ちします。「キャンセル」で中止できます。</translation>
    </message>
    <message>
        <source>Connected. The inbox is now watched.</source>
        <translation>接続しました。この受信箱の見守りを始めます。</translation>
    </message>
    <message>
        <source>Add inbox</source>
        <translation>受信箱を追加</translation>
    </message>
    <message>
        <source>Which address do customers write to? Ippo watches it and tells you before a reply is due. The password is kept in your system keyring only.</source>
        <translation>お客様からの問い合わせが届くアドレスを登録してください。Ippo が受信箱を見守り、返信期限の前にお知らせします。パスワードはOSのキーリングにだけ保存されます。</translation>
    </message>
    <message>
        <source>Email address</source>
        <translation>メールアドレス</translation>
    </message>
    <message>
        <source>Sign in with</source>
        <translation>サインイン方法</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>Provider address (issuer URL)</source>
        <translation>サインイン先のアドレス（issuer URL）</translation>
    </message>
    <message>
        <source>Provider</source>
        <translation>プロバイダー</translation>
    </message>
    <message>
        <source>Name in Ippo</source>
        <translation>表示名</translation>
    </message>
    <message>
        <source>IMAP server</source>
        <translation>IMAPサーバー</translation>
    </message>
    <message>
        <source>IMAP port</source>
        <translation>IMAPポート</translation>
    </message>
    <message>
        <source>IMAP security</source>
        <translation>IMAP暗号化</translation>
    </message>
    <message>
        <source>User name (if not the address)</source>
        <translation>ユーザー名（アドレスと異なる場合）</translation>
    </message>
    <message>
        <source>Extra trusted CA (PEM file)</source>
        <translation>追加で信頼するCA証明書（PEMファイル）</translation>
    </message>
    <message>
        <source>SMTP server</source>
        <translation>SMTPサーバー</translation>
    </message>
    <message>
        <source>SMTP port</source>
        <translation>SMTPポート</translation>
    </message>
    <message>
        <source>SMTP security</source>
        <translation>SMTP暗号化</translation>
    </message>
    <message>
        <source>OAuth client ID (optional)</source>
        <translation>OAuth クライアントID（任意）</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>サーバー設定</translation>
    </message>
    <message>
        <source>Other (custom)</source>
        <translation>その他（手動設定）</translation>
    </message>
    <message>
        <source>Test and save</source>
        <translation>接続を確認して保存</translation>
    </message>
    <message>
        <source>Your browser opens: sign in there and allow Ippo to read and send your mail. Ippo never sees your password; it keeps the sign-in in your system keyring.</source>
        <translation>ブラウザーが開きます。そこでサインインし、Ippo にメールの読み取りと送信を許可してください。Ippo がパスワードを知ることはなく、サインイン情報はOSのキーリングにだけ保存されます。</translation>
    </message>
    <message>
        <source>Sign in with Google…</source>
        <translation>Google でサインイン…</translation>
    </message>
    <message>
        <source>Sign in with Microsoft…</source>
        <translation>Microsoft でサインイン…</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>サインイン…</translation>
    </message>
    <message>
        <source>Password (or app password)</source>
        <translation>パスワード（またはアプリパスワード）</translation>
    </message>
    <message>
        <source>Sign in with Google</source>
        <translation>Google でサインイン</translation>
    </message>
    <message>
        <source>Sign in with Microsoft</source>
        <translation>Microsoft でサインイン</translation>
    </message>
    <message>
        <source>Another sign-in provider (OpenID Connect)</source>
        <translation>その他のサインイン先（OpenID Connect）</translation>
    </message>
    <message>
        <source>info@your-shop.jp</source>
        <translation>info@your-shop.jp</translation>
    </message>
    <message>
        <source>only for a self-hosted server</source>
        <translation>自前のサーバーの場合のみ</translation>
    </message>
</context>
<context>
    <name>AwayDialog</name>
    <message>
        <source>I'm away</source>
        <translation>不在にする</translation>
    </message>
    <message>
        <source>While you are away, deadlines pause (what arrives is due as if it arrived when you are back) and notifications wait. Back on:</source>
        <translation>不在の間は返信期限の時計が止まり（その間に届いたメールは戻った時点から数えます）、通知も控えます。戻る日時：</translation>
    </message>
    <message>
        <source>Away until then</source>
        <translation>この日時まで不在にする</translation>
    </message>
    <message>
        <source>Tell each new sender once that I am away (an automatic reply)</source>
        <translation>新しい送信者には一度だけ、不在であることを自動で返信する</translation>
    </message>
    <message>
        <source>I'm back now</source>
        <translation>今戻りました</translation>
    </message>
</context>
<context>
    <name>Duration</name>
    <message>
        <source>{d}d</source>
        <translation>{d}日</translation>
    </message>
    <message>
        <source>{h}h</source>
        <translation>{h}時間</translation>
    </message>
    <message>
        <source>{m}m</source>
        <translation>{m}分</translation>
    </message>
    <message>
        <source>{d}d {h}h</source>
        <translation>{d}日{h}時間</translation>
    </message>
    <message>
        <source>{h}h {m:02d}m</source>
        <translation>{h}時間{m}分</translation>
    </message>
</context>
<context>
    <name>FailureNotice</name>
    <message>
        <source>Enter the new password</source>
        <translation>新しいパスワードを入力</translation>
    </message>
    <message>
        <source>Try again now</source>
        <translation>今すぐ再接続</translation>
    </message>
    <message>
        <source>Check the settings</source>
        <translation>設定を確認</translation>
    </message>
    <message>
        <source>“%1” is not watched</source>
        <translation>「%1」を見守れていません</translation>
    </message>
    <message>
        <source>Open list</source>
        <translation>一覧を開く</translation>
    </message>
</context>
<context>
    <name>Health</name>
    <message>
        <source>connected</source>
        <translation>接続済み</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>接続中</translation>
    </message>
    <message>
        <source>retrying at %1</source>
        <translation>再接続待ち（%1 に再試行）</translation>
    </message>
    <message>
        <source>retrying</source>
        <translation>再接続待ち</translation>
    </message>
    <message>
        <source>error: %1</source>
        <translation>エラー：%1</translation>
    </message>
    <message>
        <source>error</source>
        <translation>エラー</translation>
    </message>
</context>
<context>
    <name>IgnoredSendersDialog</name>
    <message>
        <source>Ignored senders</source>
        <translation>無視している差出人</translation>
    </message>
    <message>
        <source>Mail from these senders never counts as an inquiry. Remove one to count its mail again.</source>
        <translation>これらの差出人からのメールは問い合わせとして数えません。リストから外すと、再び数えるようになります。</translation>
    </message>
    <message>
        <source>No sender is ignored.</source>
        <translation>無視している差出人はいません。</translation>
    </message>
    <message>
        <source>Remove from list</source>
        <translation>リストから外す</translation>
    </message>
</context>
<context>
    <name>IppoApp</name>
    <message>
        <source>The inquiry is in the inbox of %1 (%2): “%3” from %4.</source>
        <translation>問い合わせは %1（%2）の受信箱にあります：%4 さんからの「%3」</translation>
    </message>
    <message>
        <source>No mail program is set up on this computer, so nothing was opened.</source>
        <translation>このパソコンにはメールソフトが設定されていないため、何も開けませんでした。</translation>
    </message>
    <message>
        <source>No web browser is set up on this computer, so nothing was opened.</source>
        <translation>このパソコンにはウェブブラウザーが設定されていないため、何も開けませんでした。</translation>
    </message>
    <message>
        <source>Ippo</source>
        <translation>Ippo</translation>
    </message>
    <message>
        <source>A reply draft opened in your mail program (mail programs cannot be asked to show one particular message).</source>
        <translation>メールソフトで返信の下書きを開きました（メールソフトに特定の1通を表示させることはできません）。</translation>
    </message>
    <message>
        <source>Remove inbox</source>
        <translation>受信箱の削除</translation>
    </message>
    <message>
        <source>Stop watching %1? Its password is deleted from the keyring. What you decided about its mail (answered, not an inquiry, ignored senders, promises) is kept for 30 days: adding the same address again brings it back. The mailbox itself is not changed.</source>
        <translation>%1 の見守りをやめますか？パスワードはキーリングから削除されます。この受信箱のメールについて決めたこと（対応済み・問い合わせではない・無視する送信者・回答の約束）は30日間保管され、同じアドレスを再び追加すると元に戻ります。メールボックス自体は変更されません。</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>en</source>
        <translation>ja</translation>
    </message>
</context>
<context>
    <name>LoginCheck</name>
    <message>
        <source>Save anyway</source>
        <translation>このまま保存</translation>
    </message>
    <message>
        <source>Sign-in did not complete: %1
Nothing was saved.</source>
        <translation>サインインが完了しませんでした：%1
何も保存されていません。</translation>
    </message>
    <message>
        <source>Could not log in: %1
Nothing was saved.</source>
        <translation>ログインできませんでした：%1
何も保存されていません。</translation>
    </message>
    <message>
        <source>The inbox works, but sending through %1 does not: %2
Nothing was saved yet. Correct the SMTP settings, or save anyway and fix sending later in the settings.</source>
        <translation>受信箱には接続できましたが、%1 からは送信できません：%2
まだ何も保存されていません。SMTPの設定を直すか、「このまま保存」して送信はあとで設定から直してください。</translation>
    </message>
    <message>
        <source>The login works, but the password could not be stored: %1</source>
        <translation>ログインはできましたが、パスワードを保存できませんでした：%1</translation>
    </message>
    <message>
        <source>Testing the connection to %1…</source>
        <translation>%1 への接続を確認しています…</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>Ippo</source>
        <translation>Ippo</translation>
    </message>
    <message>
        <source>No system tray was found.</source>
        <translation>システムトレイが見つかりません。</translation>
    </message>
    <message>
        <source>Ippo lives in the system tray, and this desktop has none running. On GNOME, install the AppIndicator extension; elsewhere enable the panel's tray area. Meanwhile `ippo watch` or `ippo pending` show what waits.</source>
        <translation>Ippo はシステムトレイに常駐するアプリですが、このデスクトップではトレイが動いていません。GNOME では AppIndicator 拡張機能を入れ、その他の環境ではパネルのトレイ領域を有効にしてください。それまでは `ippo watch` や `ippo pending` で返信待ちを確認できます。</translation>
    </message>
    <message>
        <source>No secure keyring is available.</source>
        <translation>安全なキーリングが使えません。</translation>
    </message>
    <message>
        <source>Ippo keeps mail passwords only in the system keyring and never in a file. Unlock or install a keyring (GNOME Keyring, KWallet, Windows Credential Manager, macOS Keychain) and try again. Nothing was saved.</source>
        <translation>Ippo はメールのパスワードをOSのキーリングにだけ保存し、ファイルには書きません。キーリング（GNOME Keyring、KWallet、Windows 資格情報マネージャー、macOS キーチェーン）のロックを解除するか導入してから、もう一度お試しください。何も保存されていません。</translation>
    </message>
</context>
<context>
    <name>NewPasswordDialog</name>
    <message>
        <source>Enter the new password</source>
        <translation>新しいパスワードの入力</translation>
    </message>
    <message>
        <source>%1 (%2) is not watched at the moment.</source>
        <translation>%1（%2）は現在見守れていません。</translation>
    </message>
    <message>
        <source>New password (or app password)</source>
        <translation>新しいパスワード（またはアプリパスワード）</translation>
    </message>
    <message>
        <source>Test and save</source>
        <translation>接続を確認して保存</translation>
    </message>
    <message>
        <source>Enter the password (or app password).</source>
        <translation>パスワード（またはアプリパスワード）を入力してください。</translation>
    </message>
</context>
<context>
    <name>NotCoveredBanner</name>
    <message>
        <source>Not covered: %1 — %2</source>
        <translation>見守れていません：%1 — %2</translation>
    </message>
    <message>
        <source>Enter password…</source>
        <translation>パスワードを入力…</translation>
    </message>
    <message>
        <source>Sign in again…</source>
        <translation>もう一度サインイン…</translation>
    </message>
    <message>
        <source>Try again now</source>
        <translation>今すぐ再接続</translation>
    </message>
    <message>
        <source>Fix…</source>
        <translation>直す…</translation>
    </message>
</context>
<context>
    <name>Notification</name>
    <message>
        <source>Reply within {left}</source>
        <translation>あと{left}で返信期限</translation>
    </message>
    <message>
        <source>Reply overdue by {left}</source>
        <translation>返信期限を{left}過ぎています</translation>
    </message>
    <message>
        <source>{sender}
{subject}</source>
        <translation>{sender}
{subject}</translation>
    </message>
    <message>
        <source>{count} inquiries need a reply</source>
        <translation>返信待ちの問い合わせが{count}件あります</translation>
    </message>
    <message>
        <source>{sender} — {left} left</source>
        <translation>{sender} — あと{left}</translation>
    </message>
    <message>
        <source>{sender} — {left} overdue</source>
        <translation>{sender} — {left}超過</translation>
    </message>
    <message>
        <source>…and {count} more</source>
        <translation>…ほか{count}件</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>（件名なし）</translation>
    </message>
    <message>
        <source>Open list</source>
        <translation>一覧を開く</translation>
    </message>
    <message>
        <source>Send first word</source>
        <translation>一報を送る</translation>
    </message>
    <message>
        <source>Snooze 1 h</source>
        <translation>1時間後に再通知</translation>
    </message>
    <message>
        <source>{count} inquiries will pass their deadline tonight</source>
        <translation>今夜のうちに {count} 件の問い合わせが返信期限を過ぎます</translation>
    </message>
</context>
<context>
    <name>PendingWindow</name>
    <message>
        <source>Ippo — waiting for a reply</source>
        <translation>Ippo — 返信待ち</translation>
    </message>
    <message>
        <source>Send first reply (A)</source>
        <translation>一報を送る (A)</translation>
    </message>
    <message>
        <source>Acknowledge: send a short reply saying when the full answer comes (Enter)</source>
        <translation>受け取りの連絡と、正式な回答の目安を伝える短い返信を送ります (Enter)</translation>
    </message>
    <message>
        <source>Answered (D)</source>
        <translation>対応済み (D)</translation>
    </message>
    <message>
        <source>Mark as answered (by phone, in person, from another app)</source>
        <translation>対応済みにする（電話・対面・他のアプリで返信した場合）</translation>
    </message>
    <message>
        <source>Not an inquiry</source>
        <translation>問い合わせではない</translation>
    </message>
    <message>
        <source>Not an inquiry: this message (N)</source>
        <translation>このメールは問い合わせではない (N)</translation>
    </message>
    <message>
        <source>Always ignore this sender (I)</source>
        <translation>この送信者を今後無視する (I)</translation>
    </message>
    <message>
        <source>Open in mail (O)</source>
        <translation>メールで開く (O)</translation>
    </message>
    <message>
        <source>More</source>
        <translation>その他</translation>
    </message>
    <message>
        <source>Recently set aside…</source>
        <translation>最近よけたもの…</translation>
    </message>
    <message>
        <source>Ignored senders…</source>
        <translation>無視している差出人…</translation>
    </message>
    <message>
        <source>Nothing waits for a reply.</source>
        <translation>返信待ちのメールはありません。</translation>
    </message>
    <message numerus="yes">
        <source>Waiting for a reply (%n)</source>
        <translation><numerusform>返信待ち（%n件）</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Acknowledged — promised answer (%n)</source>
        <translation><numerusform>一報済み — 回答の約束（%n件）</numerusform></translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>（件名なし）</translation>
    </message>
    <message>
        <source>Not sent — send now? (A)</source>
        <translation>一報は未送信です — 今すぐ送りますか？ (A)</translation>
    </message>
    <message>
        <source>%1 late</source>
        <translation>%1超過</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>あと%1</translation>
    </message>
    <message>
        <source>Promised answer by %1</source>
        <translation>回答の約束：%1 まで</translation>
    </message>
    <message>
        <source>Reply due by %1</source>
        <translation>返信期限：%1</translation>
    </message>
    <message>
        <source>Done (D)</source>
        <translation>回答済み (D)</translation>
    </message>
    <message>
        <source>Snooze notifications</source>
        <translation>通知を後にする</translation>
    </message>
    <message>
        <source>For an hour</source>
        <translation>1時間後</translation>
    </message>
    <message>
        <source>Until this afternoon</source>
        <translation>今日の午後まで</translation>
    </message>
    <message>
        <source>Until tomorrow morning</source>
        <translation>明日の朝まで</translation>
    </message>
</context>
<context>
    <name>QuitConfirmation</name>
    <message>
        <source>Quit Ippo?</source>
        <translation>Ippo を終了しますか？</translation>
    </message>
    <message>
        <source>While Ippo is closed, nobody watches your inboxes: no reminder comes before a reply is due. Quit anyway?</source>
        <translation>Ippo を閉じている間は受信箱を見守れず、返信期限が近づいてもお知らせできません。終了しますか？</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>終了する</translation>
    </message>
    <message>
        <source>Keep running</source>
        <translation>起動したままにする</translation>
    </message>
    <message>
        <source>Don't ask again</source>
        <translation>次回から確認しない</translation>
    </message>
</context>
<context>
    <name>RecordWindow</name>
    <message>
        <source>Reading the history from your mailboxes… %1 of %2 messages</source>
        <translation>メールボックスから履歴を読み込んでいます…（%2通中%1通）</translation>
    </message>
    <message>
        <source>Reading the history from your mailboxes…</source>
        <translation>メールボックスから履歴を読み込んでいます…</translation>
    </message>
    <message>
        <source>Ippo — your reply record</source>
        <translation>Ippo — 返信の実績</translation>
    </message>
    <message>
        <source>Last 12 weeks: bars show the share first answered within the window, the line the median time to the first reply; the number under each week is how many inquiries came.</source>
        <translation>直近12週間：棒は期限内に最初の返信ができた割合、線は最初の返信までの時間の中央値です。各週の下の数字は問い合わせの件数です。</translation>
    </message>
    <message>
        <source>Slowest inquiries of the last four weeks</source>
        <translation>直近4週間で返信に時間がかかった問い合わせ</translation>
    </message>
    <message>
        <source>Waited</source>
        <translation>待ち時間</translation>
    </message>
    <message>
        <source>Arrived</source>
        <translation>受信日時</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>受信箱</translation>
    </message>
    <message>
        <source>From</source>
        <translation>差出人</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <source>Your record is being prepared…</source>
        <translation>返信の実績を集計しています…</translation>
    </message>
    <message>
        <source>This week: %1 inquiries</source>
        <translation>今週の問い合わせ：%1件</translation>
    </message>
    <message>
        <source>90% answered within %1</source>
        <translation>90%が%1以内に返信</translation>
    </message>
    <message>
        <source>longest wait %1</source>
        <translation>最長の待ち時間：%1</translation>
    </message>
    <message>
        <source>overdue %1</source>
        <translation>期限超過：%1件</translation>
    </message>
    <message>
        <source>promises kept %1 of %2</source>
        <translation>約束した回答期限：%2件中%1件を守った</translation>
    </message>
    <message>
        <source>12 weeks: %1 within the window</source>
        <translation>12週間の期限内返信率：%1</translation>
    </message>
    <message>
        <source> · </source>
        <translation>・</translation>
    </message>
    <message>
        <source>%1 (no reply yet)</source>
        <translation>%1（未返信）</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>（件名なし）</translation>
    </message>
    <message>
        <source>Updated %1 from the mail itself.</source>
        <translation>%1 にメールから集計しました。</translation>
    </message>
    <message>
        <source>%1 could not be read: %2</source>
        <translation>%1 を読み込めませんでした：%2</translation>
    </message>
</context>
<context>
    <name>ScheduleEditor</name>
    <message>
        <source>A message arriving now is due %1</source>
        <translation>今届いたメッセージの期限：%1</translation>
    </message>
    <message>
        <source>Working hours</source>
        <translation>営業時間</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>不明</translation>
    </message>
    <message>
        <source>System (%1)</source>
        <translation>システムの設定（%1）</translation>
    </message>
    <message>
        <source>No public holidays</source>
        <translation>祝日を考慮しない</translation>
    </message>
    <message>
        <source>Empty or 'always': around the clock. Several ranges: mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00</source>
        <translation>空欄または always：24時間。複数の時間帯も書けます：mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>タイムゾーン</translation>
    </message>
    <message>
        <source>Public holidays of</source>
        <translation>祝日の国</translation>
    </message>
    <message>
        <source>Days off</source>
        <translation>休業日</translation>
    </message>
</context>
<context>
    <name>SetAside</name>
    <message>
        <source>(no subject)</source>
        <translation>（件名なし）</translation>
    </message>
    <message>
        <source>Ignoring %1 from now on</source>
        <translation>今後 %1 からのメールは数えません</translation>
    </message>
    <message>
        <source>Marked as answered: “%1”</source>
        <translation>対応済みにしました：「%1」</translation>
    </message>
    <message>
        <source>Not an inquiry: “%1”</source>
        <translation>問い合わせではないとしました：「%1」</translation>
    </message>
</context>
<context>
    <name>SetAsideDialog</name>
    <message>
        <source>Recently set aside</source>
        <translation>最近よけたもの</translation>
    </message>
    <message>
        <source>What you marked as answered or not an inquiry (while the message is still in the inbox), and the senders you ignored since Ippo started. Put back an item to list it again.</source>
        <translation>「対応済み」「問い合わせではない」にしたメール（受信箱に残っているもの）と、Ippo を起動してから無視した差出人です。「一覧に戻す」を押すと、もう一度一覧に表示されます。</translation>
    </message>
    <message>
        <source>Nothing was set aside.</source>
        <translation>よけたものはありません。</translation>
    </message>
    <message>
        <source>Put back</source>
        <translation>一覧に戻す</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>%1: the urgent lead must be shorter than the warning lead, and both shorter than the response window.</source>
        <translation>%1：「至急」の時間は「注意」より短く、どちらも返信期限より短くしてください。</translation>
    </message>
    <message>
        <source>Quiet hours: write a range like 22:00-07:30, or nothing.</source>
        <translation>通知を控える時間帯は 22:00-07:30 のように書くか、空欄にしてください。</translation>
    </message>
    <message>
        <source>Ippo settings</source>
        <translation>Ippo の設定</translation>
    </message>
    <message>
        <source>Inboxes</source>
        <translation>受信箱</translation>
    </message>
    <message>
        <source>General</source>
        <translation>全般</translation>
    </message>
    <message>
        <source>Deadlines</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Working hours</source>
        <translation>営業日・営業時間</translation>
    </message>
    <message>
        <source>Replies</source>
        <translation>差出人と署名</translation>
    </message>
    <message>
        <source>Add inbox…</source>
        <translation>受信箱を追加…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Server and sign-in…</source>
        <translation>サーバーとログイン…</translation>
    </message>
    <message>
        <source>Ignored senders…</source>
        <translation>無視している差出人…</translation>
    </message>
    <message>
        <source>%1 before the deadline</source>
        <translation>期限の%1前</translation>
    </message>
    <message>
        <source>%1 after it arrives</source>
        <translation>受信から%1以内</translation>
    </message>
    <message>
        <source>the last %1 days</source>
        <translation>過去%1日分</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>「注意」にする時刻</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>「至急」にする時刻</translation>
    </message>
    <message>
        <source>Quiet hours</source>
        <translation>通知を控える時間帯</translation>
    </message>
    <message>
        <source>Notifications wait during these hours and come as one summary when they end; empty: none</source>
        <translation>この時間帯の通知は控え、終わったときにまとめて1回お知らせします。空欄：なし</translation>
    </message>
    <message>
        <source>e.g. Sample Shop, Taro Suzuki</source>
        <translation>例：一報商店 鈴木 太郎</translation>
    </message>
    <message>
        <source>Reply within</source>
        <translation>返信期限</translation>
    </message>
    <message>
        <source>Look back</source>
        <translation>さかのぼる期間</translation>
    </message>
    <message>
        <source>Name shown to customers</source>
        <translation>お客様に見える差出人名</translation>
    </message>
    <message>
        <source>Signature (Japanese replies)</source>
        <translation>署名（日本語の返信）</translation>
    </message>
    <message>
        <source>Signature (English replies)</source>
        <translation>署名（英語の返信）</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>システムの設定に従う</translation>
    </message>
    <message>
        <source>Start Ippo when I log in</source>
        <translation>ログイン時に Ippo を起動する</translation>
    </message>
    <message>
        <source>Keep overdue notifications on screen until I act</source>
        <translation>期限切れの通知は対応するまで画面に残す</translation>
    </message>
</context>
<context>
    <name>SignInAgain</name>
    <message>
        <source>Ippo: sign in again</source>
        <translation>Ippo：再サインインが必要です</translation>
    </message>
    <message>
        <source>%1 is not watched: its sign-in was revoked or has expired. Choose Fix “%1” in Ippo's menu to sign in again.</source>
        <translation>%1 は見守られていません。サインインが取り消されたか、期限が切れました。もう一度サインインするには、Ippo のメニューで「「%1」の接続を直す」を選んでください。</translation>
    </message>
    <message>
        <source>Signing in to %1 did not complete: %2</source>
        <translation>%1 の再サインインが完了しませんでした：%2</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Ippo could not start: %1</source>
        <translation>Ippo を起動できませんでした：%1</translation>
    </message>
</context>
<context>
    <name>Tooltip</name>
    <message>
        <source>Nothing waits for a reply</source>
        <translation>返信待ちはありません</translation>
    </message>
    <message>
        <source>Nothing known to wait — not every inbox is watched</source>
        <translation>見守れていない受信箱があるため、返信待ちがないとは言えません</translation>
    </message>
    <message>
        <source>No inbox is watched yet: add one from this menu</source>
        <translation>まだ受信箱を見守っていません。このメニューから追加してください</translation>
    </message>
    <message>
        <source>{waiting} waiting: {overdue} overdue · {urgent} urgent · {warning} warning · {calm} calm</source>
        <translation>返信待ち {waiting}件：期限切れ {overdue} · 至急 {urgent} · 注意 {warning} · 余裕 {calm}</translation>
    </message>
    <message>
        <source>{count} acknowledged, promise pending</source>
        <translation>一報済み・回答待ち {count}件</translation>
    </message>
    <message>
        <source>{count} acknowledged, {late} of them past the promised time</source>
        <translation>一報済み・回答待ち {count}件（うち{late}件は約束の期限切れ）</translation>
    </message>
    <message>
        <source>Next: {sender} — {subject} ({left} left)</source>
        <translation>次の期限：{sender}「{subject}」あと{left}</translation>
    </message>
    <message>
        <source>Overdue: {sender} — {subject} ({left} late)</source>
        <translation>期限切れ：{sender}「{subject}」{left}超過</translation>
    </message>
    <message>
        <source>NOT covered: {account} — {health}</source>
        <translation>見守れていません：{account} — {health}</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>（件名なし）</translation>
    </message>
    <message>
        <source>Away until {until}: deadlines paused, notifications held</source>
        <translation>{until} まで不在：期限は止まり、通知は控えています</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <source>Fix “%1”…</source>
        <translation>「%1」の接続を直す…</translation>
    </message>
    <message>
        <source>Open list</source>
        <translation>返信待ちを開く</translation>
    </message>
    <message>
        <source>Record…</source>
        <translation>返信の実績…</translation>
    </message>
    <message>
        <source>Add inbox…</source>
        <translation>受信箱を追加…</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>設定…</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>ログイン時に起動</translation>
    </message>
    <message>
        <source>Quit Ippo</source>
        <translation>Ippo を終了</translation>
    </message>
    <message>
        <source>I'm away…</source>
        <translation>不在にする…</translation>
    </message>
    <message>
        <source>Away until %1 — change or come back…</source>
        <translation>%1 まで不在 — 変更・戻る…</translation>
    </message>
</context>
<context>
    <name>UndoBar</name>
    <message>
        <source>(no subject)</source>
        <translation>（件名なし）</translation>
    </message>
    <message>
        <source>Put back: “%1”</source>
        <translation>一覧に戻しました：「%1」</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>元に戻す</translation>
    </message>
    <message>
        <source>Put it back on the list (Ctrl+Z)</source>
        <translation>一覧に戻します（Ctrl+Z）</translation>
    </message>
</context>
</TS>
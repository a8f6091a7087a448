; Inno Setup 6.3+ script (UTF-8 with BOM for older 6.x compilers): per-user installer for the bundle made by ippo.spec.
; Built by build.ps1, which passes /DAppVersion=<trayapp.__version__> and
; /DAppVersionQuad=<a.b.c.0>. Compile by hand:
;   iscc /DAppVersion=0.1.0 /DAppVersionQuad=0.1.0.0 installers\windows\ippo.iss
;
; Per user: no UAC prompt (PrivilegesRequired=lowest), installs into
; %LOCALAPPDATA%\Programs\Ippo ({autopf} maps to {userpf} in non-administrative mode),
; Start-menu entry under the user's Programs, optional start at login as the same HKCU Run
; value the app's own settings switch writes (trayapp/desktop/autostart.py: value "Ippo",
; data "<quoted path to Ippo.exe>"). The uninstaller removes the program and that Run
; value, and deletes the user's data (%LOCALAPPDATA%\ippo) only if the user says yes.

#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z (build.ps1 does)
#endif
#ifndef AppVersionQuad
  #define AppVersionQuad AppVersion + ".0"
#endif
#define AppName "Ippo"
#define AppExe "Ippo.exe"
#define RunKey "Software\Microsoft\Windows\CurrentVersion\Run"
; Root: the repository, relative to this script (Source paths resolve from here).
#define Root "..\.."

[Setup]
; A fixed GUID: upgrades find the previous install by it. Never change it.
AppId={{BF8D3E97-E451-4153-ADFF-95BDD8254187}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Ippo contributors
AppCopyright=Copyright (C) The Ippo contributors. MIT License.
VersionInfoVersion={#AppVersionQuad}
VersionInfoProductName={#AppName}
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
SetupIconFile={#Root}\resources\icons\ippo.ico
OutputDir={#Root}\dist
OutputBaseFilename=ippo-{#AppVersion}-windows-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; Restart Manager closes a running Ippo before its files are replaced on upgrade.
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=auto

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "ja"; MessagesFile: "compiler:Languages\Japanese.isl"

[CustomMessages]
en.StartAtLogin=Start Ippo when I sign in to Windows
ja.StartAtLogin=Windows にサインインしたときに一報を起動する
en.StartupGroup=Start-up:
ja.StartupGroup=起動:
en.DeleteUserData=Also delete your Ippo accounts list, settings and reply history?%n%nChoose No to keep them for a later reinstall. (Passwords are kept in Windows Credential Manager under "ippo"; remove them there if you wish.)
ja.DeleteUserData=一報のアカウント一覧・設定・返信履歴も削除しますか?%n%n再インストールに備えて残す場合は「いいえ」を選んでください。(パスワードは Windows 資格情報マネージャーに「ippo」として保存されています。必要ならそこで削除してください。)

[Tasks]
Name: "startatlogin"; Description: "{cm:StartAtLogin}"; GroupDescription: "{cm:StartupGroup}"
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\windows\Ippo\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; Same value the app writes; uninsdeletevalue removes it when the task had made it.
Root: HKCU; Subkey: "{#RunKey}"; ValueType: string; ValueName: "{#AppName}"; ValueData: """{app}\{#AppExe}"""; Flags: uninsdeletevalue; Tasks: startatlogin

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; The uninstaller has no Restart Manager step: stop a running Ippo so its files can go.
Filename: "{sys}\taskkill.exe"; Parameters: "/F /IM {#AppExe}"; Flags: runhidden; RunOnceId: "StopIppo"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usUninstall then
    { Enabled later from the app's settings, the Run value is not in the uninstall log. }
    RegDeleteValue(HKEY_CURRENT_USER, '{#RunKey}', '{#AppName}');
  if CurUninstallStep = usPostUninstall then
  begin
    { platformdirs.user_config_dir("ippo") = %LOCALAPPDATA%\ippo\ippo: accounts, state. }
    DataDir := ExpandConstant('{localappdata}\ippo');
    if DirExists(DataDir) and not UninstallSilent then
      if SuppressibleMsgBox(CustomMessage('DeleteUserData'), mbConfirmation,
          MB_YESNO or MB_DEFBUTTON2, IDNO) = IDYES then
        DelTree(DataDir, True, True, True);
  end;
end;

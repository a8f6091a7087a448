# Build the Windows installer: dist\windows\Ippo\ (PyInstaller) and
# dist\ippo-<version>-windows-setup.exe (Inno Setup 6).
#   powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1 [-Python py]
# Needs: Python 3.11+ with `pip install -e .[build]`, and Inno Setup 6.3+ (ISCC.exe on PATH
# or in its default per-machine/per-user install folder; `winget install JRSoftware.InnoSetup`).
param(
    [string]$Python = "python",
    [string]$Iscc = ""
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$here = $PSScriptRoot
$root = (Resolve-Path (Join-Path $here "..\..")).Path

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# One place for the version: trayapp/__init__.py, read via bundle_common.
$version = (& $Python -c "import sys; sys.path.insert(0, r'$root\installers'); import bundle_common as c; print(c.app_version())").Trim()
$quad = (& $Python -c "import sys; sys.path.insert(0, r'$root\installers'); import bundle_common as c; print('.'.join(map(str, c.version_tuple(c.app_version()))))").Trim()
Write-Host "Ippo $version ($quad)"

Invoke-Checked $Python @("$root\installers\make_icons.py", "--check")
Invoke-Checked $Python @("-m", "PyInstaller", "--noconfirm", "--clean",
    "--distpath", "$root\dist\windows", "--workpath", "$root\build\pyinstaller-windows",
    "$here\ippo.spec")

# The console twin must answer --version with the same number.
$reported = (& "$root\dist\windows\Ippo\ippo-cli.exe" --version).Trim()
if ($reported -ne "ippo $version") { throw "ippo-cli.exe --version said '$reported'" }

if (-not $Iscc) {
    $candidates = @(
        (Get-Command "ISCC.exe" -ErrorAction SilentlyContinue | Select-Object -ExpandProperty Source),
        "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
        "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
        "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe"
    ) | Where-Object { $_ -and (Test-Path $_) }
    if (-not $candidates) { throw "ISCC.exe (Inno Setup 6) not found; pass -Iscc <path>" }
    $Iscc = @($candidates)[0]
}
Invoke-Checked $Iscc @("/Qp", "/DAppVersion=$version", "/DAppVersionQuad=$quad", "$here\ippo.iss")

$size = (Get-ChildItem -Recurse "$root\dist\windows\Ippo" | Measure-Object -Sum Length).Sum / 1MB
Write-Host ("bundle:    {0} ({1:N0} MB)" -f "$root\dist\windows\Ippo", $size)
Write-Host "installer: $root\dist\ippo-$version-windows-setup.exe"

# Copies a Windows build of obs-faceswap into OBS's plugin folder for all users.
# Usage (elevated PowerShell): .\install.ps1 -ModuleDll <path\obs-faceswap.dll> -HostDir <published host folder> -DataDir <obs-plugin-data>
# Untested: this project's CI has no Windows machine (see README.md beside this file).
param(
    [Parameter(Mandatory = $true)][string]$ModuleDll,
    [Parameter(Mandatory = $true)][string]$HostDir,
    [Parameter(Mandatory = $true)][string]$DataDir
)
$ErrorActionPreference = 'Stop'
foreach ($p in @($ModuleDll, $HostDir, $DataDir)) {
    if (-not (Test-Path $p)) { throw "install.ps1: '$p' does not exist" }
}
$dest = Join-Path $env:ProgramData 'obs-studio\plugins\obs-faceswap'
$bin = Join-Path $dest 'bin\64bit'
New-Item -ItemType Directory -Force -Path $bin | Out-Null
Copy-Item $ModuleDll (Join-Path $bin 'obs-faceswap.dll') -Force
$hostDest = Join-Path $bin 'obs-faceswap-host'
if (Test-Path $hostDest) { Remove-Item $hostDest -Recurse -Force }
Copy-Item $HostDir $hostDest -Recurse
$dataDest = Join-Path $dest 'data'
if (Test-Path $dataDest) { Remove-Item $dataDest -Recurse -Force }
Copy-Item $DataDir $dataDest -Recurse
Write-Host "obs-faceswap installed into $dest; restart OBS."

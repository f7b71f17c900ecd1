; Inno Setup script: the Windows installer of mitpractice, from the PyInstaller folder
; (dist\mitpractice, built from packaging\mitpractice.spec). Built in CI by
; .github/workflows/package.yml:  iscc /DAppVersion=0.1.0 packaging\windows\mitpractice.iss
; Installs for the current user (no administrator needed) or for everyone; uninstalling
; leaves every user's data folder (%LOCALAPPDATA%\mitpractice) as it is.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define Bundle "..\..\dist\mitpractice"

[Setup]
AppId={{8E1B6F3C-2D4A-4C8E-9B7A-5F3D2C1E0A91}
AppName=MIT Practice
AppVersion={#AppVersion}
AppPublisher=The mitpractice developers
DefaultDirName={autopf}\MIT Practice
DefaultGroupName=MIT Practice
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile=..\..\LICENSE
SetupIconFile=..\..\build\icons\mitpractice.ico
UninstallDisplayIcon={app}\MIT Practice.exe
OutputDir=..\..\dist
OutputBaseFilename=mitpractice-{#AppVersion}-windows-x86_64-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\MIT Practice"; Filename: "{app}\MIT Practice.exe"
Name: "{group}\MIT Practice — Therapist"; Filename: "{app}\MIT Practice.exe"; Parameters: "therapist"
Name: "{autodesktop}\MIT Practice"; Filename: "{app}\MIT Practice.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Run]
Filename: "{app}\MIT Practice.exe"; Description: "{cm:LaunchProgram,MIT Practice}"; Flags: nowait postinstall skipifsilent

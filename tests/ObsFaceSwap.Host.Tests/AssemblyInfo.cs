// These tests play the shim with /dev/shm, Unix sockets, futexes and the system C compiler:
// they run on Linux (CI and the dev machines). The Windows code paths are compile-checked by
// `dotnet publish src/ObsFaceSwap.Host -r win-x64`.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

#pragma once
// Size-based rotation of a container's CRI log file, as the kubelet's containerLogMaxSize and
// containerLogMaxFiles: FILE becomes FILE.1, FILE.1 becomes FILE.2 … and the oldest beyond the
// limit goes; the node agent's log reader follows a file across this. Header-only and without
// Qt: the shim (which outlives the engine) and the container runtime's log writer share it.

#include <cstdio>
#include <string>

#include <unistd.h>

namespace cd::runtime {

inline constexpr long long kContainerLogMaxBytes = 10 * 1024 * 1024;  // containerLogMaxSize default
inline constexpr int kContainerLogMaxFiles = 5;                       // containerLogMaxFiles default

// Moves the files along; the caller then opens `path` anew.
inline void rotateLogFiles(const std::string &path, int maxFiles)
{
    for (int i = maxFiles - 1; i >= 1; --i) {
        const std::string from = i == 1 ? path : path + "." + std::to_string(i - 1);
        std::rename(from.c_str(), (path + "." + std::to_string(i)).c_str());
    }
    if (maxFiles <= 1)
        ::unlink(path.c_str());
}

} // namespace cd::runtime

#pragma once
// The processes that keep namespaces alive ("holders", the pause containers of this runtime).
// They outlive the engine, so they are recorded on disk; a pid alone could be reused by an
// unrelated process, so a holder is named by its pid and its start time (/proc/PID/stat field
// 22) and is never signalled unless both match.
//
// No Qt here: clusterdeck-netns compiles this file too.

#include "engine/core/result.h"

#include <chrono>
#include <cstdint>
#include <optional>

namespace cd::runtime::network {

struct HolderProcess {
    int pid = 0;
    std::uint64_t startTime = 0; // clock ticks after boot

    bool operator==(const HolderProcess &) const = default;
};

// The start time of a living process; nullopt when there is none or it is a zombie.
std::optional<std::uint64_t> processStartTime(int pid);

bool isRunning(const HolderProcess &holder);

// SIGKILL to the holder if it still is the recorded process, then waits until it is gone
// (or a zombie: its namespaces are released by then). Gone already is success.
Status terminateHolder(const HolderProcess &holder, std::chrono::milliseconds timeout = std::chrono::seconds(2));

} // namespace cd::runtime::network

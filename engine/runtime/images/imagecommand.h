#pragma once
// `clusterdeckd --data-dir DIR image ...`: the image store from the command line, without an
// engine running (the store's own locks make it safe next to one).
//   image import NAME[:TAG] FOLDER|TARBALL
//   image ls
//   image rm NAME[:TAG]|ID

#include "engine/core/clock.h"

#include <QString>
#include <QStringList>

#include <string>

namespace cd::runtime::images {

struct CommandOutput {
    int exitCode = 0;
    std::string out; // for stdout
    std::string err; // for stderr
};

// arguments: what follows "image" on the command line.
CommandOutput runImageCommand(const QString &dataDir, const QStringList &arguments, TimePoint now);

// Runs the command and prints its output: main() only dispatches here.
int imageCommandMain(const QString &dataDir, const QStringList &arguments);

// Column text as `podman images` writes it: "12.3 MB", "5 minutes ago".
std::string humanSize(std::int64_t bytes);
std::string humanAge(TimePoint created, TimePoint now);

} // namespace cd::runtime::images

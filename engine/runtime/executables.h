#pragma once
// Where the runtimes' helper programs are (clusterdeck-shim, clusterdeck-netns): next to the
// running executable (build/bin, an installed bin folder), else in $CLUSTERDECK_BIN_DIR (tests
// run from build/tests), else on PATH. Empty when none is found.

#include <QString>

namespace cd::runtime {

QString helperExecutable(const QString &name);

} // namespace cd::runtime

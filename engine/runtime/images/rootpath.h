#pragma once
// Paths inside an image's root filesystem, resolved as if that folder were "/": the one place that
// decides whether an archive entry or a symlink would lead out of the image (path traversal).

#include "engine/core/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace cd::runtime::images {

// The components of an archive entry's path ("./usr//bin/" -> {"usr", "bin"}; "." -> {}).
// Absolute paths and ".." components are refused: a well-formed layer never needs them.
Result<std::vector<std::string>> splitEntryPath(std::string_view path);

struct RootPath {
    std::string absolute; // on the host, free of symlinks below the root
    std::string relative; // below the root, "" for the root itself
};

// Walks components below root, following symlinks as the image would see them (an absolute
// target starts again at root), and refuses a symlink that climbs above root. Every component
// but the last must be a directory; the last is not followed when it is a symlink and
// followLast is false. createMissing makes missing directories (mode 0755) on the way.
Result<RootPath> resolveUnderRoot(const std::string &root, const std::vector<std::string> &components, bool followLast,
                                  bool createMissing);

std::string joinPath(const std::string &parent, std::string_view child);

} // namespace cd::runtime::images

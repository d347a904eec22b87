#pragma once
// Whole-tree chores for the image store: delete, measure, fingerprint. Plain POSIX calls, so
// symlinks are never followed and read-only folders (as images have) do not stop a deletion.

#include "engine/core/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cd::runtime::images {

// Deletes a file, symlink or folder tree; a missing path is success. Folders are made writable
// first: an unprivileged owner cannot empty a 0555 folder otherwise.
Status removeTree(const std::string &path);

// The names in a folder, sorted, without "." and "..".
Result<std::vector<std::string>> listFolder(const std::string &path);

struct TreeSummary {
    std::int64_t size = 0; // bytes of regular files and symlinks, each inode counted once
    std::string digest;    // "sha256:<hex>" over names, types, modes and contents; empty unless asked
};

// Walks a folder; with a digest, the same content gives the same digest wherever and by whomever
// it was unpacked (owners and timestamps are left out). Without one, folders the caller cannot
// open are skipped.
Result<TreeSummary> summarizeTree(const std::string &root, bool withDigest);

// "sha256:<hex>" of a file's bytes.
Result<std::string> sha256OfFile(const std::string &path);
std::string sha256OfBytes(const std::string &bytes);

Result<std::string> readWholeFile(const std::string &path, std::int64_t maxBytes);
// Writes next to the target and renames over it, so readers see the old or the new file whole.
Status writeFileAtomically(const std::string &path, const std::string &bytes);

} // namespace cd::runtime::images

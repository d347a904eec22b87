#pragma once
// Builds an image's root filesystem from entries (of layer tarballs or of a copied folder):
// every write goes through resolveUnderRoot, so no entry lands outside the root; layers stack
// with the whiteout rules of the OCI image spec (".wh.NAME" deletes NAME, ".wh..wh..opq" empties
// a folder of what lower layers put there). Folder modes and times are applied at finish(), so
// a read-only folder of one layer does not stop the next layer (or an unprivileged importer).

#include "engine/core/result.h"

#include <ctime>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace cd::runtime::images {

struct EntryMetadata {
    mode_t permissions = 0644; // including setuid, setgid and sticky bits
    uid_t uid = 0;
    gid_t gid = 0;
    timespec modified = {};
};

class RootfsWriter {
public:
    // root must exist. Owners are kept only when preserveOwnership (root can chown, others cannot).
    RootfsWriter(std::string root, bool preserveOwnership);

    const std::string &root() const { return m_root; }

    // Whiteout rules need to know what the current layer itself wrote.
    void beginLayer() { m_writtenInLayer.clear(); }

    Status addFolder(std::string_view entryPath, const EntryMetadata &metadata);
    // Creates the file and returns a descriptor to write its bytes into; then closeFile().
    Result<int> createFile(std::string_view entryPath);
    Status closeFile(int fd, const EntryMetadata &metadata);
    Status addSymlink(std::string_view entryPath, const std::string &target, const EntryMetadata &metadata);
    Status addHardlink(std::string_view entryPath, std::string_view targetEntryPath);
    Status addFifo(std::string_view entryPath, const EntryMetadata &metadata);

    // True when the entry is a whiteout (and was applied): such entries are never written.
    Result<bool> applyWhiteout(std::string_view entryPath);

    // Applies the folders' modes, owners and times, deepest first.
    Status finish();

private:
    // Resolves the entry's folder (made when missing) and clears the way for a new entry of
    // that name: anything there is removed unless both are folders.
    Result<std::string> prepare(std::string_view entryPath, bool isFolder, std::string *relative = nullptr);
    void forget(const std::string &relative);
    Status applyOwnerAndTime(const std::string &path, const EntryMetadata &metadata, bool isSymlink);

    std::string m_root;
    bool m_preserveOwnership;
    std::set<std::string> m_writtenInLayer;                // paths relative to the root
    std::map<std::string, EntryMetadata> m_folderMetadata; // applied at finish()
};

} // namespace cd::runtime::images

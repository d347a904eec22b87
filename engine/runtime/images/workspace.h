#pragma once
// A private folder under the store's tmp/ for one import or deletion. It is locked (flock) while
// its owner lives and deletes itself when dropped; what a killed process leaves behind is
// unlocked, and the next writer adopts and deletes it.
//
// Workspaces are made and adopted only while the store's lock is held, so no one can see a new
// folder in the moment between its creation and its locking.

#include "engine/core/result.h"
#include "engine/runtime/images/filelock.h"

#include <string>
#include <string_view>
#include <vector>

namespace cd::runtime::images {

class Workspace {
public:
    static Result<Workspace> create(const std::string &parent, std::string_view prefix);

    // Takes over the folders under parent that no live process holds; dropping them deletes them
    // (best done after the store's lock is released: big trees take a while).
    static Result<std::vector<Workspace>> adoptAbandoned(const std::string &parent);

    Workspace(Workspace &&other) noexcept;
    Workspace &operator=(Workspace &&) = delete;
    ~Workspace();

    const std::string &path() const { return m_path; }

private:
    Workspace() = default;
    std::string m_path;
    FileLock m_lock;
};

} // namespace cd::runtime::images

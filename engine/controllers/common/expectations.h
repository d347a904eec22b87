#pragma once
// Kubernetes' ControllerExpectations with UID tracking for deletions (pkg/controller
// controller_utils.go): what a controller asked the API for and has not seen in its cache yet.
// While a controller waits for its own creations or deletions to show up, a reconcile must not
// count pods again (it would create twice); expectations expire after five minutes so a lost
// watch event cannot stall a controller for ever.

#include <chrono>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace cd::controllers {

class Expectations {
public:
    static constexpr std::chrono::minutes kTimeout{5};

    // True when nothing is awaited for the controller (or what was awaited is overdue).
    bool satisfied(const std::string &controllerKey) const;
    // Replaces what the controller waits for by `count` creations.
    void expectCreations(const std::string &controllerKey, int count);
    // Replaces what the controller waits for by the deletion of these pods ("ns/name").
    void expectDeletions(const std::string &controllerKey, const std::vector<std::string> &podKeys);
    void creationObserved(const std::string &controllerKey);
    // Counts only pods the controller is waiting for, each once.
    void deletionObserved(const std::string &controllerKey, const std::string &podKey);
    // The controller is gone.
    void forget(const std::string &controllerKey) { m_records.erase(controllerKey); }

    // For tests and logs: creations and deletions still awaited.
    int pendingCreations(const std::string &controllerKey) const;
    int pendingDeletions(const std::string &controllerKey) const;

private:
    struct Record {
        int creations = 0;
        int deletions = 0;
        std::set<std::string> deleting;
        std::chrono::steady_clock::time_point since;
    };
    std::unordered_map<std::string, Record> m_records;
};

} // namespace cd::controllers

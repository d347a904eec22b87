#pragma once
// Bearer tokens of ServiceAccounts: the `token` of every Secret of type
// kubernetes.io/service-account-token (the ServiceAccount controller makes one per account), so a
// pod that mounts its account's token reaches the API (in-cluster configuration), as with
// Kubernetes' legacy service-account tokens. There is no authorization layer: such a token may do
// what the engine's own token may.
//
// Found by reading the stored Secrets, at most once a second; a token once found stays good for
// ten seconds before it is looked for again, so a deleted Secret's token stops working soon after.

#include <QElapsedTimer>

#include <string>
#include <unordered_set>

namespace cd::store {
class Store;
}

namespace cd::api {

class ServiceAccountTokens {
public:
    explicit ServiceAccountTokens(const store::Store &store);

    // Whether `token` is the token of a ServiceAccount's Secret. On the store's thread.
    bool valid(const std::string &token);

private:
    void reread();

    const store::Store &m_store;
    std::unordered_set<std::string> m_tokens;
    QElapsedTimer m_readAgo;  // invalid: never read
};

} // namespace cd::api

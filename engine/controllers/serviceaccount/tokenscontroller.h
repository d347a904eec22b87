#pragma once
// The tokens controller, as Kubernetes ran it before 1.24 (pkg/controller/serviceaccount/
// tokens_controller.go): every ServiceAccount gets a Secret of type
// kubernetes.io/service-account-token named <account>-token-<random>, annotated with the
// account's name and uid and holding token, ca.crt and namespace, referenced from the account's
// `secrets`. A token Secret whose account is gone is deleted; a deleted one is replaced; one
// made by hand without data gets it filled in. The token is random and opaque (Clusterdeck's
// API does not check service-account tokens).

#include "engine/client/sharedinformers.h"
#include "engine/client/workqueue.h"

#include <map>
#include <set>

namespace cd::controllers::serviceaccount {

class TokensController : public QObject {
    Q_OBJECT
public:
    // rootCaPem: the cluster CA written as each token's ca.crt (none when empty).
    TokensController(client::Client *client, client::SharedInformers *informers, std::string rootCaPem,
                     QObject *parent = nullptr);

private:
    void onAccount(const client::InformerEvent &event);
    void onSecret(const client::InformerEvent &event);
    void syncAccount(const std::string &key, std::function<void(bool)> done);
    void syncSecret(const std::string &key, std::function<void(bool)> done);
    void deleteTokens(const std::string &key, const std::string &uid, std::function<void(bool)> done);
    void createToken(const Json &account, const std::vector<std::string> &dropReferences, std::function<void(bool)> done);
    bool isTokenFor(const std::string &ns, const std::string &secretName, const Json &account) const;
    Json tokenData(const std::string &ns) const;

    client::Client *m_client;
    client::Informer *m_namespaces;
    client::Informer *m_accounts;
    client::Informer *m_secrets;
    client::WorkQueue m_accountQueue;
    client::WorkQueue m_secretQueue;
    std::string m_rootCa;
    std::map<std::string, std::string> m_accountUids;                 // account key -> uid
    std::map<std::string, std::string> m_deletedAccounts;             // account key -> uid of the one deleted
    std::map<std::string, std::set<std::string>> m_tokensByAccount;   // account key -> token Secret names
    std::map<std::string, std::set<std::string>> m_deletedTokens;     // account key -> token Secrets gone
    // Tokens written and not yet in the Secret cache: "ns/name" -> account uid.
    std::map<std::string, std::string> m_createdTokens;
};

} // namespace cd::controllers::serviceaccount

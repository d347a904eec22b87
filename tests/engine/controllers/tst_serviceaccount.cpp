// The ServiceAccount and tokens controllers against an in-process control plane: a `default`
// account in every active namespace, and for every account its token Secret (as Kubernetes made
// them before 1.24).
#include "engine/controllers/controllermanager.h"
#include "inprocesscluster.h"

#include <QByteArray>
#include <QtTest>

using namespace cd;

namespace {

constexpr const char *kCa = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

std::string decoded(const Json &secret, const char *key)
{
    return QByteArray::fromBase64(QByteArray::fromStdString(str(secret, {"data", key}))).toStdString();
}

} // namespace

class TestServiceAccount : public QObject {
    Q_OBJECT

    std::unique_ptr<test::InProcessCluster> m_cluster;
    std::unique_ptr<QObject> m_controllers;

    Json account(const std::string &ns, const std::string &name)
    {
        return m_cluster->get("v1", "ServiceAccount", ns, name);
    }
    bool createNamespace(const std::string &name)
    {
        return !m_cluster->create({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}}).is_null();
    }
    std::vector<Json> tokens(const std::string &ns)
    {
        std::vector<Json> out;
        for (const Json &s : m_cluster->list("v1", "Secret", ns))
            if (str(s, {"type"}) == "kubernetes.io/service-account-token")
                out.push_back(s);
        return out;
    }
    // The token Secret an account references, or null.
    Json referencedToken(const std::string &ns, const std::string &name)
    {
        const Json sa = account(ns, name);
        const Json *secrets = find(sa, {"secrets"});
        if (!secrets || !secrets->is_array() || secrets->empty())
            return Json();
        return m_cluster->get("v1", "Secret", ns, str((*secrets)[0], {"name"}));
    }

private Q_SLOTS:
    void init()
    {
        m_cluster = std::make_unique<test::InProcessCluster>();
        m_controllers = std::make_unique<QObject>();
        controllers::ControllerOptions options;
        options.rootCaPem = kCa;
        controllers::ControllerContext context{&m_cluster->client(), &m_cluster->informers(), options,
                                               m_controllers.get()};
        controllers::startServiceAccountController(context);
        QVERIFY(m_cluster->startInformers());
    }
    void cleanup()
    {
        m_controllers.reset();
        m_cluster.reset();
    }

    void defaultAccountInEveryNamespace()
    {
        // The namespaces the API starts with, and new ones.
        QVERIFY(m_cluster->waitFor([&] { return !account("default", "default").is_null(); }));
        QVERIFY(m_cluster->waitFor([&] { return !account("kube-system", "default").is_null(); }));
        QVERIFY(createNamespace("team"));
        QVERIFY(m_cluster->waitFor([&] { return !account("team", "default").is_null(); }));
        const Json sa = account("team", "default");
        QCOMPARE(str(sa, {"metadata", "name"}), std::string("default"));
    }

    void defaultAccountIsMadeAgain()
    {
        QVERIFY(createNamespace("again"));
        QVERIFY(m_cluster->waitFor([&] { return !account("again", "default").is_null(); }));
        const std::string uid = str(account("again", "default"), {"metadata", "uid"});
        QVERIFY(m_cluster->remove("v1", "ServiceAccount", "again", "default"));
        QVERIFY(m_cluster->waitFor([&] {
            const Json sa = account("again", "default");
            return !sa.is_null() && str(sa, {"metadata", "uid"}) != uid;
        }));
    }

    void tokenSecretForEveryAccount()
    {
        QVERIFY(createNamespace("tok"));
        QVERIFY(m_cluster->waitFor([&] { return !referencedToken("tok", "default").is_null(); }));
        const Json sa = account("tok", "default");
        const Json secret = referencedToken("tok", "default");
        const std::string name = str(secret, {"metadata", "name"});
        QVERIFY2(name.rfind("default-token-", 0) == 0 && name.size() == std::string("default-token-").size() + 5,
                 name.c_str());
        QCOMPARE(sa["secrets"], Json::array({{{"name", name}}}));
        QCOMPARE(str(secret, {"type"}), std::string("kubernetes.io/service-account-token"));
        QCOMPARE(str(secret, {"metadata", "annotations", "kubernetes.io/service-account.name"}), std::string("default"));
        QCOMPARE(str(secret, {"metadata", "annotations", "kubernetes.io/service-account.uid"}),
                 str(sa, {"metadata", "uid"}));
        QCOMPARE(decoded(secret, "namespace"), std::string("tok"));
        QCOMPARE(decoded(secret, "ca.crt"), std::string(kCa));
        QVERIFY(decoded(secret, "token").size() >= 32);
        QCOMPARE(secret["data"].size(), size_t(3));

        // Another account gets its own; no account gets two.
        QVERIFY(!m_cluster->create({{"apiVersion", "v1"},
                                    {"kind", "ServiceAccount"},
                                    {"metadata", {{"name", "builder"}, {"namespace", "tok"}}}})
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] { return !referencedToken("tok", "builder").is_null(); }));
        QTest::qWait(300);
        QCOMPARE(tokens("tok").size(), size_t(2));
        QVERIFY(decoded(referencedToken("tok", "builder"), "token") != decoded(secret, "token"));
    }

    void deletedTokenIsReplaced()
    {
        QVERIFY(createNamespace("rot"));
        QVERIFY(m_cluster->waitFor([&] { return !referencedToken("rot", "default").is_null(); }));
        const std::string first = str(referencedToken("rot", "default"), {"metadata", "name"});
        QVERIFY(m_cluster->remove("v1", "Secret", "rot", first));
        QVERIFY(m_cluster->waitFor([&] {
            const Json token = referencedToken("rot", "default");
            return !token.is_null() && str(token, {"metadata", "name"}) != first;
        }));
        QCOMPARE(account("rot", "default")["secrets"].size(), size_t(1));
        QCOMPARE(tokens("rot").size(), size_t(1));
    }

    void tokensOfDeletedAccountsGo()
    {
        QVERIFY(createNamespace("gone"));
        QVERIFY(!m_cluster->create({{"apiVersion", "v1"},
                                    {"kind", "ServiceAccount"},
                                    {"metadata", {{"name", "temp"}, {"namespace", "gone"}}}})
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] { return !referencedToken("gone", "temp").is_null(); }));
        const std::string token = str(referencedToken("gone", "temp"), {"metadata", "name"});
        QVERIFY(m_cluster->remove("v1", "ServiceAccount", "gone", "temp"));
        QVERIFY(m_cluster->waitFor([&] { return m_cluster->get("v1", "Secret", "gone", token).is_null(); }));
        // A token Secret naming an account that does not exist goes too.
        QVERIFY(!m_cluster->create({{"apiVersion", "v1"},
                                    {"kind", "Secret"},
                                    {"metadata",
                                     {{"name", "stray-token"},
                                      {"namespace", "gone"},
                                      {"annotations", {{"kubernetes.io/service-account.name", "nobody"}}}}},
                                    {"type", "kubernetes.io/service-account-token"}})
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] { return m_cluster->get("v1", "Secret", "gone", "stray-token").is_null(); }));
    }

    void handMadeTokenSecretIsFilledIn()
    {
        QVERIFY(createNamespace("hand"));
        QVERIFY(m_cluster->waitFor([&] { return !account("hand", "default").is_null(); }));
        QVERIFY(!m_cluster->create({{"apiVersion", "v1"},
                                    {"kind", "Secret"},
                                    {"metadata",
                                     {{"name", "mine"},
                                      {"namespace", "hand"},
                                      {"annotations", {{"kubernetes.io/service-account.name", "default"}}}}},
                                    {"type", "kubernetes.io/service-account-token"}})
                     .is_null());
        QVERIFY(m_cluster->waitFor([&] {
            const Json s = m_cluster->get("v1", "Secret", "hand", "mine");
            return !decoded(s, "token").empty() && decoded(s, "namespace") == "hand" && decoded(s, "ca.crt") == kCa;
        }));
        QCOMPARE(str(m_cluster->get("v1", "Secret", "hand", "mine"), {"metadata", "annotations",
                                                                      "kubernetes.io/service-account.uid"}),
                 str(account("hand", "default"), {"metadata", "uid"}));
    }

    void terminatingNamespaceGetsNoAccount()
    {
        QVERIFY(createNamespace("leaving"));
        QVERIFY(m_cluster->waitFor([&] { return !account("leaving", "default").is_null(); }));
        // No namespace controller here: the namespace stays Terminating.
        QVERIFY(m_cluster->remove("v1", "Namespace", "", "leaving"));
        QVERIFY(m_cluster->waitFor([&] {
            return str(m_cluster->get("v1", "Namespace", "", "leaving"), {"status", "phase"}) == "Terminating";
        }));
        QVERIFY(m_cluster->remove("v1", "ServiceAccount", "leaving", "default"));
        QTest::qWait(300);
        QVERIFY(account("leaving", "default").is_null());
    }
};

QTEST_GUILESS_MAIN(TestServiceAccount)
#include "tst_serviceaccount.moc"

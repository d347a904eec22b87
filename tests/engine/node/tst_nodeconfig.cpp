// The node plan file (--node-config): mixed nodes, defaults, and errors that point at the line,
// the column, the entry and the field.
#include "engine/node/nodemanager.h"

#include <QtTest>

using namespace cd;
using namespace cd::node;

class TestNodeConfig : public QObject {
    Q_OBJECT

    static QString errorOf(const std::string &text)
    {
        auto plan = parseNodeConfig(text, "plan.yaml");
        return plan.ok() ? QString("(no error)") : QString::fromStdString(plan.error().message);
    }

private Q_SLOTS:
    void mixedNodes()
    {
        auto plan = parseNodeConfig(R"(nodes:
- name: big-1
  kind: simulated
  cpu: "16"
  memory: 64Gi
  pods: 250
  labels: {disk: ssd}
  taints:
  - {key: dedicated, value: db, effect: NoSchedule}
- namePrefix: small
  count: 3
  cpu: 2000m
  memory: 4Gi
)");
        QVERIFY2(plan.ok(), plan.ok() ? "" : plan.error().message.c_str());
        QCOMPARE(plan->size(), size_t(4));
        const NodeSpec &big = (*plan)[0];
        QCOMPARE(big.name, std::string("big-1"));
        QCOMPARE(big.cpu, std::string("16"));
        QCOMPARE(big.memory, std::string("64Gi"));
        QCOMPARE(big.pods, 250LL);
        QCOMPARE(big.labels, Json::parse(R"({"disk":"ssd"})"));
        QCOMPARE(big.taints, Json::parse(R"([{"key":"dedicated","value":"db","effect":"NoSchedule"}])"));
        QCOMPARE((*plan)[1].name, std::string("small-1"));
        QCOMPARE((*plan)[3].name, std::string("small-3"));
        QCOMPARE((*plan)[3].cpu, std::string("2"));  // canonical quantity
        QCOMPARE((*plan)[3].pods, 110LL);            // the kubelet's default
        QCOMPARE((*plan)[3].kind, std::string("process"));  // the default kind
    }

    void uniformPlan()
    {
        const auto nodes = uniformNodes(3, "simulated");
        QCOMPARE(nodes.size(), size_t(3));
        QCOMPARE(nodes[2].name, std::string("node-3"));
        QVERIFY(checkNodePlan(nodes).ok());
    }

    void errorsNameTheirPlace_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("bad quantity") << "nodes:\n- name: a\n  memory: 4Gx\n"
                                      << "plan.yaml: line 3, column 11: nodes[0].memory: quantities must match the "
                                         "regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
        QTest::newRow("unknown field") << "nodes:\n- name: a\n  cpus: 2\n"
                                       << "plan.yaml: line 3, column 9: nodes[0].cpus: unknown field \"cpus\"";
        QTest::newRow("kind not yet available")
            << "nodes:\n- name: a\n- name: b\n  kind: vm\n"
            << "plan.yaml: line 4, column 9: nodes[1].kind: node kind vm is not available yet (simulated, process and container are)";
        QTest::newRow("unknown kind")
            << "nodes:\n- name: a\n  kind: cloud\n"
            << "plan.yaml: line 3, column 9: nodes[0].kind: unsupported value \"cloud\": supported values: "
               "\"simulated\", \"process\", \"container\", \"vm\"";
        QTest::newRow("bad taint effect")
            << "nodes:\n- name: a\n  taints:\n  - {key: k, effect: Sometimes}\n"
            << "plan.yaml: line 4, column 3: nodes[0].taints[0].effect: unsupported value \"Sometimes\": supported "
               "values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"";
        QTest::newRow("duplicate name")
            << "nodes:\n- name: node-2\n- namePrefix: node\n  count: 2\n"
            << "plan.yaml: line 3, column 15: nodes[1].namePrefix: node node-2 is already in the plan";
        QTest::newRow("no name") << "nodes:\n- cpu: 2\n"
                                 << "plan.yaml: line 2, column 3: nodes[0].name: required: give name, or namePrefix "
                                    "and count";
        QTest::newRow("bad name") << "nodes:\n- name: Big_Node\n"
                                  << "plan.yaml: line 2, column 9: nodes[0].name: invalid node name \"Big_Node\": a "
                                     "lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                     "characters, '-' or '.', and must start and end with an alphanumeric character "
                                     "(e.g. 'example.com', regex used for validation is "
                                     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
        QTest::newRow("not a list") << "nodes: 3\n"
                                    << "plan.yaml: line 1, column 8: nodes: must be a list of node entries";
        QTest::newRow("yaml syntax") << "nodes:\n- name: [a\n"
                                     << "plan.yaml: yaml: line 3, column 1: end of sequence flow not found";
    }

    void errorsNameTheirPlace()
    {
        QFETCH(QString, text);
        QFETCH(QString, error);
        QCOMPARE(errorOf(text.toStdString()), error);
    }

    void readsAFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("nodes.yaml");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("nodes:\n- namePrefix: edge\n  count: 2\n");
        file.close();
        auto plan = readNodeConfig(path);
        QVERIFY(plan.ok());
        QCOMPARE(plan->size(), size_t(2));
        auto missing = readNodeConfig(dir.filePath("absent.yaml"));
        QVERIFY(!missing.ok());
        QVERIFY(QString::fromStdString(missing.error().message).startsWith("cannot read the node config"));
    }

    void engineRefusesKindsNotAvailable()
    {
        QVERIFY(checkNodePlan(uniformNodes(2, "process")).ok());
        QVERIFY(checkNodePlan(uniformNodes(2, "container")).ok());
        const auto status = checkNodePlan(uniformNodes(2, "vm"));
        QVERIFY(!status.ok());
        QCOMPARE(QString::fromStdString(status.error().message),
                 QString("node kind vm is not available yet: use --node-kind process, container or simulated"));
    }
};

QTEST_GUILESS_MAIN(TestNodeConfig)
#include "tst_nodeconfig.moc"

// clusterdeckd: the headless engine. A thin main over engine/cluster.
#include "engine/cluster/engine.h"
#include "engine/runtime/images/imagecommand.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    (void)!::write(g_signalPipe[1], &byte, 1);
}

// SIGTERM and SIGINT end the event loop through a socket pair, the only safe way out of a handler.
void installShutdownSignals(QCoreApplication &app)
{
    ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe);
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [&app] {
        char byte;
        (void)!::read(g_signalPipe[0], &byte, 1);
        app.quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("clusterdeckd"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CLUSTERDECK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The Clusterdeck engine: a Kubernetes control plane (API server, SQLite store) that kubectl and "
        "Kubernetes client libraries can use. It writes a kubeconfig once the API serves."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Folder for the store, certificates and token (required)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption listen(QStringLiteral("listen"),
                                    QStringLiteral("Address and port of the API server (default 127.0.0.1:6443; "
                                                   "port 0 picks a free one)."),
                                    QStringLiteral("ADDR:PORT"), QStringLiteral("127.0.0.1:6443"));
    const QCommandLineOption kubeconfig(QStringLiteral("kubeconfig"),
                                        QStringLiteral("Where to write the kubeconfig (default DIR/kubeconfig)."),
                                        QStringLiteral("PATH"));
    const QCommandLineOption allowRemote(QStringLiteral("allow-remote"),
                                         QStringLiteral("Allow a --listen address that is not loopback."));
    const QCommandLineOption insecureHttp(QStringLiteral("insecure-http"),
                                          QStringLiteral("Serve plain HTTP instead of TLS (benchmarks only)."));
    const QCommandLineOption nodes(QStringLiteral("nodes"), QStringLiteral("Run N local nodes (node-1 ... node-N)."),
                                   QStringLiteral("N"));
    const QCommandLineOption nodeKind(QStringLiteral("node-kind"),
                                      QStringLiteral("The kind of the --nodes: process (the default: each pod a "
                                                     "sandboxed local process), container (each pod's containers "
                                                     "in Docker or Podman) or simulated."),
                                      QStringLiteral("KIND"), QStringLiteral("process"));
    const QCommandLineOption nodeConfig(QStringLiteral("node-config"),
                                        QStringLiteral("A YAML file describing mixed nodes (name, kind, capacity, "
                                                       "labels, taints)."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption metricsInterval(QStringLiteral("metrics-interval"),
                                             QStringLiteral("How often process nodes sample CPU and memory for "
                                                            "kubectl top: 10s (default), 1s, 500ms."),
                                             QStringLiteral("DURATION"), QStringLiteral("10s"));
    const QCommandLineOption dockerHost(QStringLiteral("docker-host"),
                                        QStringLiteral("The Docker Engine API of container nodes (Docker, or Podman's "
                                                       "`podman system service`); default: $DOCKER_HOST, "
                                                       "/var/run/docker.sock, then Podman's sockets."),
                                        QStringLiteral("unix:///PATH"));
    parser.addOptions({dataDir, listen, kubeconfig, allowRemote, insecureHttp, nodes, nodeKind, nodeConfig,
                       metricsInterval, dockerHost});
    parser.process(app);

    if (!parser.isSet(dataDir)) {
        std::fprintf(stderr, "clusterdeckd: --data-dir is required (see --help)\n");
        return 2;
    }
    // `clusterdeckd --data-dir DIR image import|ls|rm ...` works on the image store; no engine starts.
    if (const QStringList positional = parser.positionalArguments(); positional.value(0) == QLatin1String("image"))
        return cd::runtime::images::imageCommandMain(parser.value(dataDir), positional.mid(1));
    cd::cluster::EngineConfig config;
    config.dataDir = parser.value(dataDir);
    const QString address = parser.value(listen);
    const int colon = address.lastIndexOf(':');
    bool portOk = false;
    const int port = colon > 0 ? address.mid(colon + 1).toInt(&portOk) : 0;
    QString host = colon > 0 ? address.left(colon) : QString();
    if (host.startsWith('[') && host.endsWith(']'))
        host = host.mid(1, host.size() - 2);
    if (host == QLatin1String("localhost"))
        host = QStringLiteral("127.0.0.1");
    config.address = QHostAddress(host);
    if (!portOk || port < 0 || port > 65535 || config.address.isNull()) {
        std::fprintf(stderr, "clusterdeckd: --listen expects ADDRESS:PORT, e.g. 127.0.0.1:6443 (got \"%s\")\n",
                     qPrintable(address));
        return 2;
    }
    config.port = quint16(port);
    config.kubeconfigPath = parser.value(kubeconfig);
    config.allowRemote = parser.isSet(allowRemote);
    config.tls = !parser.isSet(insecureHttp);
    if (parser.isSet(nodes)) {
        bool ok = false;
        const int count = parser.value(nodes).toInt(&ok);
        if (!ok || count < 0) {
            std::fprintf(stderr, "clusterdeckd: --nodes expects a number, got \"%s\"\n", qPrintable(parser.value(nodes)));
            return 2;
        }
        config.nodes = cd::node::uniformNodes(count, parser.value(nodeKind).toStdString());
    }
    if (parser.isSet(nodeConfig)) {
        auto plan = cd::node::readNodeConfig(parser.value(nodeConfig));
        if (!plan.ok()) {
            std::fprintf(stderr, "clusterdeckd: %s\n", plan.error().message.c_str());
            return 2;
        }
        config.nodes.insert(config.nodes.end(), plan->begin(), plan->end());
    }

    {
        // "10s", "1.5s" or "500ms"; at least 100ms, so sampling never swamps the node thread.
        QString text = parser.value(metricsInterval).trimmed();
        const bool millis = text.endsWith(QLatin1String("ms"));
        text.chop(millis ? 2 : text.endsWith('s') ? 1 : 0);
        bool ok = false;
        const double ms = text.toDouble(&ok) * (millis ? 1 : 1000);
        if (!ok || ms < 100 || ms > 3600 * 1000) {
            std::fprintf(stderr, "clusterdeckd: --metrics-interval expects a duration from 100ms to 1h, e.g. 10s (got \"%s\")\n",
                         qPrintable(parser.value(metricsInterval)));
            return 2;
        }
        config.metricsInterval = std::chrono::milliseconds(static_cast<long long>(ms));
    }
    config.dockerHost = parser.value(dockerHost);
    installShutdownSignals(app);
    auto engine = cd::cluster::Engine::start(config);
    if (!engine.ok()) {
        std::fprintf(stderr, "clusterdeckd: %s\n", engine.error().message.c_str());
        return 1;
    }
    std::fprintf(stderr, "clusterdeckd: serving the Kubernetes API at %s; kubeconfig: %s\n",
                 qPrintable((*engine)->serverUrl()), qPrintable((*engine)->kubeconfigPath()));
    const int code = app.exec();
    (*engine)->shutdown();
    std::fprintf(stderr, "clusterdeckd: stopped\n");
    return code;
}

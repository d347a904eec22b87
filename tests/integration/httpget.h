#pragma once
// HTTP GETs over fresh TCP connections (HTTP/1.0: the server closes each), for tests that count
// which pod answered through a NodePort, a LoadBalancer address or a port-forward.

#include <QElapsedTimer>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QTcpSocket>

namespace cd::test {

struct HttpAnswer {
    bool ok = false;  // a 200 with a body
    QString body;     // trimmed
    QString error;    // why not, when not ok
    qint64 ms = 0;
};

inline HttpAnswer httpGet(const QString &ip, int port, const QString &path)
{
    QElapsedTimer timer;
    timer.start();
    HttpAnswer answer;
    QTcpSocket socket;
    socket.connectToHost(ip, quint16(port));
    if (!socket.waitForConnected(5000)) {
        answer.error = socket.errorString();
        answer.ms = timer.elapsed();
        return answer;
    }
    socket.write("GET " + path.toUtf8() + " HTTP/1.0\r\nHost: test\r\n\r\n");
    QByteArray reply;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(10000))
        reply += socket.readAll();
    reply += socket.readAll();
    answer.ms = timer.elapsed();
    const int split = reply.indexOf("\r\n\r\n");
    answer.ok = (reply.startsWith("HTTP/1.0 200") || reply.startsWith("HTTP/1.1 200")) && split > 0;
    answer.body = QString::fromUtf8(reply.mid(split + 4)).trimmed();
    if (!answer.ok)
        answer.error = reply.isEmpty() ? socket.errorString() : QString::fromUtf8(reply.left(200));
    return answer;
}

// `count` GETs of PATH, one connection each (as through a NodePort, each may reach another pod):
// how often each body came back; what failed goes to `failures`.
inline QMap<QString, int> answersOf(const QString &ip, int port, const QString &path, int count, QStringList *failures)
{
    QMap<QString, int> answered;
    for (int i = 0; i < count; ++i) {
        const HttpAnswer answer = httpGet(ip, port, path);
        if (answer.ok)
            ++answered[answer.body];
        else
            *failures << answer.error;
    }
    return answered;
}

} // namespace cd::test

#include "gui/design/objectfields.h"

#include "engine/core/quantity.h"
#include "gui/design/objectkey.h"
#include "gui/design/relations.h"

#include <QRegularExpression>

namespace cd::gui {

// The fields' labels and messages, translated in the ObjectFields context.
class ObjectFieldsText {
    Q_DECLARE_TR_FUNCTIONS(ObjectFields)
};

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

// A field's place in an object, kept by the fields' read and write functions.
using Path = std::vector<std::string>;

template <typename JsonType>  // Json or const Json
JsonType *lookup(JsonType &object, const Path &path)
{
    JsonType *node = &object;
    for (const std::string &key : path) {
        if (!node->is_object() || !node->contains(key))
            return nullptr;
        node = &(*node)[key];
    }
    return node;
}

QString text(const Json *value)
{
    if (!value || value->is_null())
        return {};
    return value->is_string() ? qs(value->get<std::string>()) : qs(value->dump());
}

// Writes the value at the path (objects made on the way); an empty value removes the field.
void setOrErase(Json &object, const Path &path, Json value)
{
    const bool empty = value.is_null() || ((value.is_object() || value.is_array() || value.is_string()) && value.empty());
    if (empty) {
        Json *parent = lookup(object, Path(path.begin(), path.end() - 1));
        if (parent && parent->is_object())
            parent->erase(path.back());
        return;
    }
    Json *node = &object;
    for (const std::string &key : path) {
        if (!node->is_object())
            *node = Json::object();
        node = &(*node)[key];
    }
    *node = std::move(value);
}

ObjectField textField(QString id, QString label, Path path, QString placeholder = {})
{
    ObjectField f;
    f.id = std::move(id);
    f.label = std::move(label);
    f.placeholder = std::move(placeholder);
    f.read = [path](const Json &o) { return text(lookup(o, path)); };
    f.write = [path](Json &o, const QString &value) -> std::optional<QString> {
        setOrErase(o, path, value.trimmed().isEmpty() ? Json() : Json(value.trimmed().toStdString()));
        return std::nullopt;
    };
    return f;
}

std::optional<QString> checkQuantity(const QString &value)
{
    if (value.trimmed().isEmpty() || Quantity::parse(value.trimmed().toStdString()).ok())
        return std::nullopt;
    return ObjectFieldsText::tr("\"%1\" is not a quantity (like 500m, 2, 128Mi, 1Gi)").arg(value.trimmed());
}

ObjectField quantityField(QString id, QString label, std::function<Json &(Json &)> parent, std::function<const Json *(const Json &)> find,
                          const char *key)
{
    ObjectField f;
    f.id = std::move(id);
    f.label = std::move(label);
    f.placeholder = QStringLiteral("500m, 1, 256Mi, 1Gi");
    f.read = [find, key](const Json &o) {
        const Json *p = find(o);
        return p && p->is_object() && p->contains(key) ? text(&(*p)[key]) : QString();
    };
    f.write = [parent, key](Json &o, const QString &value) -> std::optional<QString> {
        if (auto problem = checkQuantity(value))
            return problem;
        Json &p = parent(o);
        if (value.trimmed().isEmpty()) {
            if (p.is_object())
                p.erase(key);
        } else {
            if (!p.is_object())
                p = Json::object();
            p[key] = value.trimmed().toStdString();
        }
        return std::nullopt;
    };
    return f;
}

ObjectField labelsField(QString id, QString label, Path path)
{
    ObjectField f;
    f.id = std::move(id);
    f.label = std::move(label);
    f.editor = ObjectField::Editor::Lines;
    f.placeholder = QStringLiteral("app=web");
    f.read = [path](const Json &o) {
        const Json *labels = lookup(o, path);
        return labels ? formatLabels(*labels, QStringLiteral("\n")) : QString();
    };
    f.write = [path](Json &o, const QString &value) -> std::optional<QString> {
        auto labels = parseLabels(value);
        if (!labels)
            return ObjectFieldsText::tr("write one key=value per line");
        setOrErase(o, path, std::move(*labels));
        return std::nullopt;
    };
    return f;
}

using relations::podSpecOf;

// The pod spec of a workload, made where relations::podSpecOf finds it.
Json &podSpec(Json &o)
{
    const std::string kind = str(o, {"kind"});
    if (kind == "Pod")
        return ensureObject(o, {"spec"});
    if (kind == "CronJob")
        return ensureObject(o, {"spec", "jobTemplate", "spec", "template", "spec"});
    return ensureObject(o, {"spec", "template", "spec"});
}
Json &firstContainer(Json &o)
{
    Json &containers = podSpec(o)["containers"];
    if (!containers.is_array() || containers.empty())
        containers = Json::array({{{"name", str(o, {"metadata", "name"}, "main")}}});
    return containers[0];
}
const Json *firstContainerOf(const Json &o)
{
    const Json *spec = podSpecOf(o);
    const Json *containers = spec ? cd::find(*spec, {"containers"}) : nullptr;
    return containers && containers->is_array() && !containers->empty() ? &(*containers)[0] : nullptr;
}

ObjectField containerText(QString id, QString label, const char *key, QString placeholder = {})
{
    ObjectField f;
    f.id = std::move(id);
    f.label = std::move(label);
    f.placeholder = std::move(placeholder);
    f.read = [key](const Json &o) {
        const Json *c = firstContainerOf(o);
        return c ? text(cd::find(*c, {key})) : QString();
    };
    f.write = [key](Json &o, const QString &value) -> std::optional<QString> {
        Json &c = firstContainer(o);
        setOrErase(c, {key}, value.trimmed().isEmpty() ? Json() : Json(value.trimmed().toStdString()));
        return std::nullopt;
    };
    return f;
}

// A command line split the way a shell would split simple words and quotes.
std::optional<Json> splitCommand(const QString &line)
{
    Json words = Json::array();
    QString word;
    bool inWord = false;
    QChar quote;
    for (QChar c : line) {
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else
                word += c;
        } else if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            quote = c;
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words.push_back(word.toStdString());
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (!quote.isNull())
        return std::nullopt;
    if (inWord)
        words.push_back(word.toStdString());
    return words;
}

QString joinCommand(const Json *words)
{
    if (!words || !words->is_array())
        return {};
    QStringList parts;
    for (const Json &w : *words) {
        QString s = w.is_string() ? qs(w.get<std::string>()) : qs(w.dump());
        if (s.isEmpty() || s.contains(QRegularExpression(QStringLiteral("[\\s'\"]"))))
            s = QLatin1Char('"') + QString(s).replace(QLatin1Char('"'), QLatin1String("'")) + QLatin1Char('"');
        parts << s;
    }
    return parts.join(QLatin1Char(' '));
}

ObjectField commandField()
{
    ObjectField f;
    f.id = QStringLiteral("command");
    f.label = ObjectFieldsText::tr("Command");
    f.placeholder = QStringLiteral("python3 -m http.server 8000");
    f.read = [](const Json &o) {
        const Json *c = firstContainerOf(o);
        return c ? joinCommand(cd::find(*c, {"command"})) : QString();
    };
    f.write = [](Json &o, const QString &value) -> std::optional<QString> {
        auto words = splitCommand(value);
        if (!words)
            return ObjectFieldsText::tr("a quote is not closed");
        setOrErase(firstContainer(o), {"command"}, *words);
        return std::nullopt;
    };
    return f;
}

ObjectField containerPortsField()
{
    ObjectField f;
    f.id = QStringLiteral("ports");
    f.label = ObjectFieldsText::tr("Container ports");
    f.placeholder = QStringLiteral("80, 8443");
    f.read = [](const Json &o) {
        const Json *c = firstContainerOf(o);
        const Json *ports = c ? cd::find(*c, {"ports"}) : nullptr;
        QStringList out;
        if (ports && ports->is_array())
            for (const Json &p : *ports)
                out << text(cd::find(p, {"containerPort"}));
        return out.join(QStringLiteral(", "));
    };
    f.write = [](Json &o, const QString &value) -> std::optional<QString> {
        Json ports = Json::array();
        const Json *old = nullptr;
        if (const Json *c = firstContainerOf(o))
            old = cd::find(*c, {"ports"});
        for (const QString &part : value.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int port = part.toInt(&ok);
            if (!ok || port < 1 || port > 65535)
                return ObjectFieldsText::tr("\"%1\" is not a port number (1-65535)").arg(part);
            Json entry = {{"containerPort", port}};
            if (old && old->is_array())  // keep the name and protocol of a port that stays
                for (const Json &p : *old)
                    if (p.value("containerPort", 0) == port)
                        entry = p;
            ports.push_back(std::move(entry));
        }
        setOrErase(firstContainer(o), {"ports"}, ports);
        return std::nullopt;
    };
    return f;
}

ObjectField envField()
{
    ObjectField f;
    f.id = QStringLiteral("env");
    f.label = ObjectFieldsText::tr("Environment");
    f.editor = ObjectField::Editor::Lines;
    f.placeholder = QStringLiteral("MODE=fast");
    f.read = [](const Json &o) {
        const Json *c = firstContainerOf(o);
        const Json *env = c ? cd::find(*c, {"env"}) : nullptr;
        QStringList out;
        if (env && env->is_array())
            for (const Json &e : *env)
                if (e.contains("value") || !e.contains("valueFrom"))
                    out << text(cd::find(e, {"name"})) + QLatin1Char('=') + text(cd::find(e, {"value"}));
        return out.join(QLatin1Char('\n'));
    };
    f.write = [](Json &o, const QString &value) -> std::optional<QString> {
        Json env = Json::array();
        if (const Json *c = firstContainerOf(o))
            if (const Json *old = cd::find(*c, {"env"}); old && old->is_array())
                for (const Json &e : *old)
                    if (e.contains("valueFrom"))  // references are edited in YAML; keep them
                        env.push_back(e);
        for (const QString &line : value.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const int eq = line.indexOf(QLatin1Char('='));
            if (eq <= 0)
                return ObjectFieldsText::tr("write one NAME=value per line (\"%1\")").arg(line.trimmed());
            env.push_back({{"name", line.left(eq).trimmed().toStdString()}, {"value", line.mid(eq + 1).toStdString()}});
        }
        setOrErase(firstContainer(o), {"env"}, env);
        return std::nullopt;
    };
    return f;
}

ObjectField resourceField(QString id, QString label, const char *section, const char *resource)
{
    return quantityField(
        std::move(id), std::move(label),
        [section](Json &o) -> Json & { return ensureObject(firstContainer(o), {"resources", section}); },
        [section](const Json &o) -> const Json * {
            const Json *c = firstContainerOf(o);
            return c ? cd::find(*c, {"resources", section}) : nullptr;
        },
        resource);
}

// One probe on the first container: "http /healthz 8080", "tcp 5432", "exec cat /tmp/ready".
ObjectField probeField(QString id, QString label, const char *probe)
{
    ObjectField f;
    f.id = std::move(id);
    f.label = std::move(label);
    f.placeholder = QStringLiteral("http /healthz 8080 | tcp 5432 | exec cat /tmp/ready");
    f.read = [probe](const Json &o) {
        const Json *c = firstContainerOf(o);
        const Json *p = c ? cd::find(*c, {probe}) : nullptr;
        if (!p)
            return QString();
        if (const Json *http = cd::find(*p, {"httpGet"}))
            return QStringLiteral("http %1 %2").arg(text(cd::find(*http, {"path"})).isEmpty() ? QStringLiteral("/") : text(cd::find(*http, {"path"})),
                                                    text(cd::find(*http, {"port"})));
        if (const Json *tcp = cd::find(*p, {"tcpSocket"}))
            return QStringLiteral("tcp %1").arg(text(cd::find(*tcp, {"port"})));
        if (const Json *exec = cd::find(*p, {"exec"}))
            return QStringLiteral("exec ") + joinCommand(cd::find(*exec, {"command"}));
        return QString();
    };
    f.write = [probe](Json &o, const QString &value) -> std::optional<QString> {
        Json &c = firstContainer(o);
        const QStringList words = value.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (words.isEmpty()) {
            c.erase(probe);
            return std::nullopt;
        }
        Json kept = c.contains(probe) ? c[probe] : Json::object();  // timings stay
        for (const char *handler : {"httpGet", "tcpSocket", "exec", "grpc"})
            kept.erase(handler);
        auto port = [](const QString &s) -> Json {
            bool ok = false;
            const int n = s.toInt(&ok);
            return ok ? Json(n) : Json(s.toStdString());
        };
        const QString type = words.front();
        if (type == QLatin1String("http") && words.size() == 3)
            kept["httpGet"] = {{"path", words[1].toStdString()}, {"port", port(words[2])}};
        else if (type == QLatin1String("tcp") && words.size() == 2)
            kept["tcpSocket"] = {{"port", port(words[1])}};
        else if (type == QLatin1String("exec") && words.size() >= 2)
            kept["exec"] = {{"command", *splitCommand(value.mid(value.indexOf(QLatin1String("exec")) + 5))}};
        else
            return ObjectFieldsText::tr("write \"http PATH PORT\", \"tcp PORT\" or \"exec COMMAND\"");
        c[probe] = std::move(kept);
        return std::nullopt;
    };
    return f;
}

ObjectField numberField(QString id, QString label, Path path)
{
    ObjectField f = textField(std::move(id), std::move(label), path);
    f.editor = ObjectField::Editor::Number;
    f.write = [path](Json &o, const QString &value) -> std::optional<QString> {
        bool ok = false;
        const int n = value.trimmed().toInt(&ok);
        if (!value.trimmed().isEmpty() && (!ok || n < 0))
            return ObjectFieldsText::tr("\"%1\" is not a whole number of 0 or more").arg(value.trimmed());
        setOrErase(o, path, value.trimmed().isEmpty() ? Json() : Json(n));
        return std::nullopt;
    };
    return f;
}

ObjectField choiceField(QString id, QString label, Path path, QStringList choices)
{
    ObjectField f = textField(std::move(id), std::move(label), path);
    f.editor = ObjectField::Editor::Choice;
    f.choices = std::move(choices);
    return f;
}

ObjectField accessModesField()
{
    ObjectField f;
    f.id = QStringLiteral("accessModes");
    f.label = ObjectFieldsText::tr("Access modes");
    f.editor = ObjectField::Editor::Checks;
    f.choices = {QStringLiteral("ReadWriteOnce"), QStringLiteral("ReadOnlyMany"), QStringLiteral("ReadWriteMany"),
                 QStringLiteral("ReadWriteOncePod")};
    f.read = [](const Json &o) {
        QStringList out;
        if (const Json *modes = cd::find(o, {"spec", "accessModes"}); modes && modes->is_array())
            for (const Json &m : *modes)
                out << text(&m);
        return out.join(QStringLiteral(", "));
    };
    f.write = [](Json &o, const QString &value) -> std::optional<QString> {
        Json modes = Json::array();
        for (const QString &m : value.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
            modes.push_back(m.toStdString());
        setOrErase(o, {"spec", "accessModes"}, modes);
        return std::nullopt;
    };
    return f;
}

// Service ports, one per line: "80", "80:8080", "80:8080/UDP", "http 80:8080", "80:8080 nodePort 30080".
ObjectField servicePortsField()
{
    ObjectField f;
    f.id = QStringLiteral("service.ports");
    f.label = ObjectFieldsText::tr("Ports");
    f.editor = ObjectField::Editor::Lines;
    f.placeholder = QStringLiteral("80:8080/TCP");
    f.read = [](const Json &o) {
        QStringList out;
        if (const Json *ports = cd::find(o, {"spec", "ports"}); ports && ports->is_array())
            for (const Json &p : *ports) {
                QString line = text(cd::find(p, {"port"}));
                if (p.contains("targetPort"))
                    line += QLatin1Char(':') + text(cd::find(p, {"targetPort"}));
                if (p.contains("protocol") && str(p, {"protocol"}) != "TCP")
                    line += QLatin1Char('/') + text(cd::find(p, {"protocol"}));
                if (p.contains("name"))
                    line = text(cd::find(p, {"name"})) + QLatin1Char(' ') + line;
                if (p.contains("nodePort"))
                    line += QLatin1String(" nodePort ") + text(cd::find(p, {"nodePort"}));
                out << line;
            }
        return out.join(QLatin1Char('\n'));
    };
    f.write = [](Json &o, const QString &value) -> std::optional<QString> {
        static const QRegularExpression form(
            QStringLiteral("^(?:([a-z0-9-]+)\\s+)?(\\d+)(?::([A-Za-z0-9-]+))?(?:/(TCP|UDP|SCTP))?(?:\\s+nodePort\\s+(\\d+))?$"));
        Json ports = Json::array();
        for (const QString &raw : value.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QString line = raw.trimmed();
            const auto m = form.match(line);
            if (!m.hasMatch())
                return ObjectFieldsText::tr("\"%1\": write PORT[:TARGET][/PROTOCOL], optionally a name first and \"nodePort N\" last").arg(line);
            Json port = {{"port", m.captured(2).toInt()}};
            if (!m.captured(1).isEmpty())
                port["name"] = m.captured(1).toStdString();
            if (!m.captured(3).isEmpty()) {
                bool numeric = false;
                const int target = m.captured(3).toInt(&numeric);
                port["targetPort"] = numeric ? Json(target) : Json(m.captured(3).toStdString());
            }
            port["protocol"] = m.captured(4).isEmpty() ? "TCP" : m.captured(4).toStdString();
            if (!m.captured(5).isEmpty())
                port["nodePort"] = m.captured(5).toInt();
            ports.push_back(std::move(port));
        }
        setOrErase(o, {"spec", "ports"}, ports);
        return std::nullopt;
    };
    return f;
}

ObjectField dataField()
{
    ObjectField f;
    f.id = QStringLiteral("data");
    f.label = ObjectFieldsText::tr("Data");
    f.editor = ObjectField::Editor::Lines;
    f.placeholder = QStringLiteral("key=value");
    f.read = [](const Json &o) {
        const Json *data = cd::find(o, {str(o, {"kind"}) == "Secret" ? "stringData" : "data"});
        return data ? formatLabels(*data, QStringLiteral("\n")) : QString();
    };
    f.write = [](Json &o, const QString &value) -> std::optional<QString> {
        auto data = parseLabels(value);
        if (!data)
            return ObjectFieldsText::tr("write one key=value per line");
        setOrErase(o, {str(o, {"kind"}) == "Secret" ? "stringData" : "data"}, *data);
        return std::nullopt;
    };
    return f;
}

} // namespace

QString formatLabels(const Json &map, const QString &separator)
{
    QStringList out;
    if (map.is_object())
        for (auto it = map.begin(); it != map.end(); ++it)
            out << qs(it.key()) + QLatin1Char('=') + text(&it.value());
    return out.join(separator);
}

std::optional<Json> parseLabels(const QString &text)
{
    Json map = Json::object();
    for (const QString &raw : text.split(QRegularExpression(QStringLiteral("[\\n,]")), Qt::SkipEmptyParts)) {
        const QString part = raw.trimmed();
        if (part.isEmpty())
            continue;
        const int eq = part.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return std::nullopt;
        map[part.left(eq).trimmed().toStdString()] = part.mid(eq + 1).trimmed().toStdString();
    }
    return map;
}

std::vector<ObjectField> objectFields(const QString &kind)
{
    std::vector<ObjectField> fields;
    fields.push_back(textField(QStringLiteral("name"), ObjectFieldsText::tr("Name"), {"metadata", "name"}));
    if (isNamespacedKind(kind))
        fields.push_back(textField(QStringLiteral("namespace"), ObjectFieldsText::tr("Namespace"), {"metadata", "namespace"}, QStringLiteral("default")));
    fields.push_back(labelsField(QStringLiteral("labels"), ObjectFieldsText::tr("Labels"), {"metadata", "labels"}));
    if (relations::isWorkloadKind(kind)) {
        if (kind == QLatin1String("Deployment") || kind == QLatin1String("ReplicaSet") || kind == QLatin1String("StatefulSet"))
            fields.push_back(numberField(QStringLiteral("replicas"), ObjectFieldsText::tr("Replicas"), {"spec", "replicas"}));
        if (kind == QLatin1String("Job")) {
            fields.push_back(numberField(QStringLiteral("completions"), ObjectFieldsText::tr("Completions"), {"spec", "completions"}));
            fields.push_back(numberField(QStringLiteral("parallelism"), ObjectFieldsText::tr("Parallelism"), {"spec", "parallelism"}));
        }
        fields.push_back(containerText(QStringLiteral("image"), ObjectFieldsText::tr("Image"), "image", QStringLiteral("nginx:1.27")));
        fields.push_back(commandField());
        fields.push_back(containerPortsField());
        fields.push_back(resourceField(QStringLiteral("requests.cpu"), ObjectFieldsText::tr("CPU request"), "requests", "cpu"));
        fields.push_back(resourceField(QStringLiteral("requests.memory"), ObjectFieldsText::tr("Memory request"), "requests", "memory"));
        fields.push_back(resourceField(QStringLiteral("limits.cpu"), ObjectFieldsText::tr("CPU limit"), "limits", "cpu"));
        fields.push_back(resourceField(QStringLiteral("limits.memory"), ObjectFieldsText::tr("Memory limit"), "limits", "memory"));
        fields.push_back(envField());
        fields.push_back(probeField(QStringLiteral("readinessProbe"), ObjectFieldsText::tr("Readiness probe"), "readinessProbe"));
        fields.push_back(probeField(QStringLiteral("livenessProbe"), ObjectFieldsText::tr("Liveness probe"), "livenessProbe"));
    } else if (kind == QLatin1String("Service")) {
        fields.push_back(choiceField(QStringLiteral("service.type"), ObjectFieldsText::tr("Type"), {"spec", "type"},
                                     {QStringLiteral("ClusterIP"), QStringLiteral("NodePort"), QStringLiteral("LoadBalancer"),
                                      QStringLiteral("ExternalName")}));
        fields.push_back(servicePortsField());
        fields.push_back(labelsField(QStringLiteral("selector"), ObjectFieldsText::tr("Selector"), {"spec", "selector"}));
    } else if (kind == QLatin1String("PersistentVolumeClaim")) {
        fields.push_back(quantityField(
            QStringLiteral("storage"), ObjectFieldsText::tr("Storage size"),
            [](Json &o) -> Json & { return ensureObject(o, {"spec", "resources", "requests"}); },
            [](const Json &o) { return cd::find(o, {"spec", "resources", "requests"}); }, "storage"));
        fields.push_back(accessModesField());
        fields.push_back(textField(QStringLiteral("storageClassName"), ObjectFieldsText::tr("Storage class"), {"spec", "storageClassName"},
                                   ObjectFieldsText::tr("(the default class)")));
        fields.push_back(textField(QStringLiteral("volumeName"), ObjectFieldsText::tr("Volume"), {"spec", "volumeName"}));
    } else if (kind == QLatin1String("PersistentVolume")) {
        fields.push_back(quantityField(
            QStringLiteral("storage"), ObjectFieldsText::tr("Capacity"), [](Json &o) -> Json & { return ensureObject(o, {"spec", "capacity"}); },
            [](const Json &o) { return cd::find(o, {"spec", "capacity"}); }, "storage"));
        fields.push_back(accessModesField());
        fields.push_back(textField(QStringLiteral("storageClassName"), ObjectFieldsText::tr("Storage class"), {"spec", "storageClassName"}));
        fields.push_back(choiceField(QStringLiteral("reclaimPolicy"), ObjectFieldsText::tr("Reclaim policy"), {"spec", "persistentVolumeReclaimPolicy"},
                                     {QStringLiteral("Retain"), QStringLiteral("Delete"), QStringLiteral("Recycle")}));
        fields.push_back(textField(QStringLiteral("hostPath"), ObjectFieldsText::tr("Host path"), {"spec", "hostPath", "path"}));
    } else if (kind == QLatin1String("StorageClass")) {
        fields.push_back(textField(QStringLiteral("provisioner"), ObjectFieldsText::tr("Provisioner"), {"provisioner"}));
        fields.push_back(choiceField(QStringLiteral("reclaimPolicy"), ObjectFieldsText::tr("Reclaim policy"), {"reclaimPolicy"},
                                     {QStringLiteral("Delete"), QStringLiteral("Retain")}));
        fields.push_back(choiceField(QStringLiteral("volumeBindingMode"), ObjectFieldsText::tr("Binding mode"), {"volumeBindingMode"},
                                     {QStringLiteral("Immediate"), QStringLiteral("WaitForFirstConsumer")}));
    } else if (kind == QLatin1String("ConfigMap") || kind == QLatin1String("Secret")) {
        fields.push_back(dataField());
    }
    return fields;
}

std::vector<ObjectField> nodeFields()
{
    std::vector<ObjectField> fields;
    fields.push_back(textField(QStringLiteral("name"), ObjectFieldsText::tr("Name"), {"name"}));
    fields.push_back(choiceField(QStringLiteral("node.kind"), ObjectFieldsText::tr("Kind"), {"kind"},
                                 {QStringLiteral("simulated"), QStringLiteral("process"), QStringLiteral("container"),
                                  QStringLiteral("vm")}));
    fields.push_back(quantityField(
        QStringLiteral("cpu"), ObjectFieldsText::tr("CPU"), [](Json &o) -> Json & { return o; }, [](const Json &o) { return &o; }, "cpu"));
    fields.push_back(quantityField(
        QStringLiteral("memory"), ObjectFieldsText::tr("Memory"), [](Json &o) -> Json & { return o; }, [](const Json &o) { return &o; }, "memory"));
    fields.push_back(numberField(QStringLiteral("pods"), ObjectFieldsText::tr("Pods"), {"pods"}));
    fields.push_back(labelsField(QStringLiteral("labels"), ObjectFieldsText::tr("Labels"), {"labels"}));
    return fields;
}

} // namespace cd::gui

#include "gui/design/designdocument.h"

#include "engine/core/yaml.h"
#include "gui/design/scalaredit.h"
#include "gui/design/texteditcommand.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QSaveFile>

namespace cd::gui {

namespace {

const QString kProject = QString::fromLatin1(DesignDocument::kProjectFile);

bool isManifestPath(const QString &path)
{
    return path != kProject &&
           (path.endsWith(QLatin1String(".yaml"), Qt::CaseInsensitive) ||
            path.endsWith(QLatin1String(".yml"), Qt::CaseInsensitive));
}

int projectKeyRank(const std::string &key)
{
    static const std::pair<const char *, int> ranks[] = {{"nodes", -10}, {"layout", -9}, {"name", -8},
                                                         {"namePrefix", -7}, {"count", -6}, {"kind", -5},
                                                         {"cpu", -4}, {"memory", -3}, {"pods", -2}, {"x", -1}};
    for (const auto &[name, rank] : ranks)
        if (key == name)
            return rank;
    return 0;
}

const std::vector<SourceDocument> kNoDocuments;

// A canvas position as clusterdeck.yaml keeps it: whole pixels, readable in a diff.
Json place(QPointF at)
{
    return {{"x", qRound(at.x())}, {"y", qRound(at.y())}};
}

// Keeps an item's place when its id changes (a renamed object or node); false when it had none.
bool movePlace(Json &project, const std::string &from, const std::string &to)
{
    Json &layout = project["layout"];
    if (!layout.is_object() || !layout.contains(from))
        return false;
    Json kept = std::move(layout[from]);
    layout.erase(from);
    layout[to] = std::move(kept);
    return true;
}

// Bytes of blank and comment lines at the start of a document's text.
size_t leadingCommentLength(std::string_view text)
{
    size_t offset = 0;
    while (offset < text.size()) {
        const size_t newline = text.find('\n', offset);
        const size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
        const std::string_view line = text.substr(offset, end - offset);
        const size_t first = line.find_first_not_of(" \t\r\n");
        if (first != std::string_view::npos && line[first] != '#')
            break;
        offset = end;
    }
    return offset;
}

} // namespace

DesignDocument::DesignDocument(QObject *parent) : QObject(parent)
{
    connect(&m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
    load({});
}

DesignDocument::~DesignDocument()
{
    // Commands refer to this document: drop them before the members they use go.
    m_undo.clear();
}

// ---- Project on disk ----------------------------------------------------------------------------

bool DesignDocument::open(const QString &folder, QString *error)
{
    const QDir dir(folder);
    if (!dir.exists()) {
        if (error)
            *error = tr("The folder %1 does not exist.").arg(QDir::toNativeSeparators(folder));
        return false;
    }
    QMap<QString, QString> texts;
    QDirIterator it(folder, {QStringLiteral("*.yaml"), QStringLiteral("*.yml")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = dir.relativeFilePath(path);
        if (relative.startsWith(QLatin1Char('.')) || relative.contains(QLatin1String("/.")))
            continue;  // hidden folders (.git, .clusterdeck autosaves)
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = tr("Cannot read %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
            return false;
        }
        texts.insert(relative, QString::fromUtf8(file.readAll()));
    }
    load(texts, dir.absolutePath());
    for (auto fileIt = m_files.begin(); fileIt != m_files.end(); ++fileIt)
        fileIt->onDisk = texts.contains(fileIt.key());
    return true;
}

bool DesignDocument::save(QString *error)
{
    if (m_folder.isEmpty()) {
        if (error)
            *error = tr("The design has no folder yet: use Save As.");
        return false;
    }
    for (auto it = m_files.begin(); it != m_files.end(); ++it) {
        if (it->onDisk && it->text == it->savedText)
            continue;
        const QString path = QDir(m_folder).filePath(it.key());
        QDir().mkpath(QFileInfo(path).absolutePath());
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(it->text.toUtf8()) < 0 || !file.commit()) {
            if (error)
                *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
            return false;
        }
        it->savedText = it->text;
        it->onDisk = true;
    }
    m_undo.setClean();
    return true;
}

bool DesignDocument::saveAs(const QString &folder, QString *error)
{
    if (!QDir().mkpath(folder)) {
        if (error)
            *error = tr("Cannot create the folder %1.").arg(QDir::toNativeSeparators(folder));
        return false;
    }
    m_folder = QDir(folder).absolutePath();
    for (File &file : m_files)
        file.onDisk = false;
    return save(error);
}

void DesignDocument::load(const QMap<QString, QString> &files, const QString &folder)
{
    m_undo.clear();
    m_folder = folder;
    m_files.clear();
    for (auto it = files.begin(); it != files.end(); ++it) {
        File &file = m_files[it.key()];
        file.text = it.value();
        file.savedText = it.value();
        reparse(it.key());
    }
    if (!m_files.contains(kProject)) {
        File &project = m_files[kProject];
        project.text = projectText(Json{{"nodes", Json::array()}});
        reparse(kProject);
    }
    readProject();
    rebuildObjects();
    m_undo.setClean();
    Q_EMIT reset();
}

bool DesignDocument::isModified() const
{
    return !m_undo.isClean();
}

// ---- Text ---------------------------------------------------------------------------------------

QStringList DesignDocument::manifestFiles() const
{
    QStringList out;
    for (auto it = m_files.begin(); it != m_files.end(); ++it)
        if (isManifestPath(it.key()))
            out << it.key();
    return out;
}

QStringList DesignDocument::files() const
{
    return m_files.keys();
}

QString DesignDocument::text(const QString &file) const
{
    const auto it = m_files.find(file);
    return it == m_files.end() ? QString() : it->text;
}

const std::vector<SourceDocument> &DesignDocument::documents(const QString &file) const
{
    const auto it = m_files.find(file);
    return it == m_files.end() ? kNoDocuments : it->documents;
}

void DesignDocument::reparse(const QString &file)
{
    File &f = m_files[file];
    std::string previous = std::move(f.utf8);
    f.utf8 = f.text.toStdString();
    f.documents = parseYamlSource(f.utf8, previous, std::move(f.documents));
}

void DesignDocument::applyTexts(const QMap<QString, QString> &texts, QObject *origin)
{
    bool manifests = false, project = false, filesAddedOrRemoved = false;
    for (auto it = texts.begin(); it != texts.end(); ++it) {
        if (it.value().isNull()) {
            filesAddedOrRemoved |= m_files.remove(it.key()) > 0;
        } else {
            filesAddedOrRemoved |= !m_files.contains(it.key());
            m_files[it.key()].text = it.value();
            reparse(it.key());
        }
        (it.key() == kProject ? project : manifests) = true;
    }
    if (project) {
        const Json oldNodes = m_nodes;
        const Json oldLayout = m_project.contains("layout") ? m_project["layout"] : Json();
        readProject();
        if (m_nodes != oldNodes)
            Q_EMIT nodesChanged();
        if ((m_project.contains("layout") ? m_project["layout"] : Json()) != oldLayout)
            Q_EMIT layoutChanged();
    }
    if (manifests)
        rebuildObjects();
    if (filesAddedOrRemoved)
        Q_EMIT filesChanged();
    for (auto it = texts.begin(); it != texts.end(); ++it)
        Q_EMIT textChanged(it.key(), origin);
    if (manifests)
        Q_EMIT objectsChanged();
}

void DesignDocument::pushTexts(const QString &description, const QMap<QString, QString> &after, bool mergeable,
                               QObject *origin)
{
    QMap<QString, QString> before;
    bool changes = false;
    for (auto it = after.begin(); it != after.end(); ++it) {
        const auto file = m_files.find(it.key());
        before.insert(it.key(), file == m_files.end() ? QString() : file->text);
        changes |= file == m_files.end() || file->text != it.value();
    }
    if (!changes)
        return;
    m_undo.push(new TextEditCommand(this, description, std::move(before), after, mergeable, origin));
}

void DesignDocument::setText(const QString &file, const QString &text, QObject *origin)
{
    pushTexts(tr("Edit %1").arg(file), {{file, text}}, true, origin);
}

QString DesignDocument::documentsReplaced(const QString &file, const QMap<int, QString> &replacements) const
{
    const File &f = m_files[file];
    std::string out;
    size_t copied = 0;
    const int count = int(f.documents.size());
    for (auto it = replacements.begin(); it != replacements.end(); ++it) {
        const int index = it.key();
        if (index < 0 || index >= count)
            continue;
        const SourceDocument &d = f.documents[size_t(index)];
        if (!it.value().isNull()) {
            // The comments above the object stay: they are the person's, not the object's.
            const size_t start = d.begin + leadingCommentLength(std::string_view(f.utf8).substr(d.begin, d.end - d.begin));
            out.append(f.utf8, copied, start - copied);
            std::string replacement = it.value().toStdString();
            if (!replacement.empty() && replacement.back() != '\n')
                replacement += '\n';
            out += replacement;
            copied = d.end;
            continue;
        }
        // A removed document takes its separator along: the one after it, or for the last
        // document the one before it.
        if (index + 1 < count) {
            out.append(f.utf8, copied, d.begin - copied);
            copied = f.documents[size_t(index) + 1].begin;
        } else if (index > 0) {
            const size_t cut = std::max(copied, f.documents[size_t(index) - 1].end);
            out.append(f.utf8, copied, cut - copied);
            copied = d.end;
        } else {
            out.append(f.utf8, copied, d.begin - copied);
            copied = d.end;
        }
    }
    out.append(f.utf8, copied, std::string::npos);
    return QString::fromStdString(out);
}

// ---- Objects ------------------------------------------------------------------------------------

void DesignDocument::rebuildObjects()
{
    m_objects.clear();
    m_index.clear();
    for (auto it = m_files.begin(); it != m_files.end(); ++it) {
        if (!isManifestPath(it.key()))
            continue;
        int index = 0;
        for (const SourceDocument &d : it->documents) {
            const int documentIndex = index++;
            if (d.empty || d.error || !d.value.is_object() || !d.value.contains("kind"))
                continue;
            DesignObject object;
            object.key = ObjectKey::of(d.value);
            object.object = d.value;
            object.file = it.key();
            object.document = documentIndex;
            object.line = d.firstLine;
            object.served = isServedKind(QString::fromStdString(str(d.value, {"apiVersion"})), object.key.kind);
            if (!m_index.contains(object.key))  // a second definition is a diagnostic, not a second card
                m_index.insert(object.key, m_objects.size());
            m_objects.push_back(std::move(object));
        }
    }
}

const DesignObject *DesignDocument::find(const ObjectKey &key) const
{
    const auto it = m_index.find(key);
    return it == m_index.end() ? nullptr : &m_objects[*it];
}

QString DesignDocument::uniqueName(const QString &kind, const QString &ns, const QString &base) const
{
    auto taken = [&](const QString &name) {
        for (const DesignObject &o : m_objects)
            if (o.key.kind == kind && o.key.ns == ns && o.key.name == name)
                return true;
        return false;
    };
    if (!taken(base))
        return base;
    for (int n = 2;; ++n)
        if (const QString name = base + QLatin1Char('-') + QString::number(n); !taken(name))
            return name;
}

ObjectKey DesignDocument::addObject(const Json &object, std::optional<QPointF> at, const QString &file)
{
    QString target = file;
    if (target.isEmpty())
        target = m_objects.empty() ? (manifestFiles().isEmpty() ? QString::fromLatin1(kDefaultManifest)
                                                                : manifestFiles().front())
                                   : m_objects.back().file;
    QString text = this->text(target);
    bool hasContent = false;
    for (const SourceDocument &d : documents(target))
        hasContent |= !d.empty;
    if (!text.isEmpty() && !text.endsWith(QLatin1Char('\n')))
        text += QLatin1Char('\n');
    if (hasContent)
        text += QLatin1String("---\n");
    text += manifestYaml(object);

    const ObjectKey key = ObjectKey::of(object);
    QMap<QString, QString> after{{target, text}};
    if (at) {
        Json project = projectJson();
        project["layout"][key.id().toStdString()] = place(*at);
        after.insert(kProject, projectText(project));
    }
    pushTexts(tr("Add %1").arg(key.display()), after);
    return key;
}

bool DesignDocument::updateObject(const ObjectKey &key, const Json &object)
{
    const DesignObject *existing = find(key);
    if (!existing)
        return false;
    if (existing->object == object)
        return true;
    // Replaced scalars are written over the old ones (comments, order and style stay); anything
    // more rewrites the object's document.
    const File &file = m_files[existing->file];
    const SourceDocument &source = file.documents[size_t(existing->document)];
    const std::string_view documentText = std::string_view(file.utf8).substr(source.begin, source.end - source.begin);
    const std::optional<std::string> edited = replaceScalars(documentText, source, object);
    QMap<QString, QString> after{
        {existing->file, edited ? QString::fromStdString(file.utf8.substr(0, source.begin) + *edited + file.utf8.substr(source.end))
                                : documentsReplaced(existing->file, {{existing->document, manifestYaml(object)}})}};
    const ObjectKey renamed = ObjectKey::of(object);
    if (renamed != key) {
        Json project = projectJson();
        if (movePlace(project, key.id().toStdString(), renamed.id().toStdString()))
            after.insert(kProject, projectText(project));
    }
    pushTexts(tr("Change %1").arg(key.display()), after);
    return true;
}

void DesignDocument::removeObjects(const QList<ObjectKey> &keys)
{
    QMap<QString, QMap<int, QString>> removals;
    Json project = projectJson();
    bool layoutChanged = false;
    for (const ObjectKey &key : keys) {
        const DesignObject *o = find(key);
        if (!o)
            continue;
        removals[o->file].insert(o->document, QString());
        if (project["layout"].is_object())
            layoutChanged |= project["layout"].erase(key.id().toStdString()) > 0;
    }
    if (removals.isEmpty())
        return;
    QMap<QString, QString> after;
    for (auto it = removals.begin(); it != removals.end(); ++it)
        after.insert(it.key(), documentsReplaced(it.key(), it.value()));
    if (layoutChanged)
        after.insert(kProject, projectText(project));
    pushTexts(keys.size() == 1 ? tr("Delete %1").arg(keys.front().display()) : tr("Delete %n objects", nullptr, int(keys.size())),
              after);
}

// ---- Node plan and layout -----------------------------------------------------------------------

void DesignDocument::readProject()
{
    const auto &docs = documents(kProject);
    m_project = Json::object();
    for (const SourceDocument &d : docs)
        if (!d.empty && !d.error && d.value.is_object()) {
            m_project = d.value;
            break;
        }
    m_nodes = m_project.contains("nodes") && m_project["nodes"].is_array() ? m_project["nodes"] : Json::array();
}

Json DesignDocument::projectJson() const
{
    Json project = m_project.is_object() ? m_project : Json::object();
    if (!project.contains("nodes") || !project["nodes"].is_array())
        project["nodes"] = Json::array();
    if (!project.contains("layout") || !project["layout"].is_object())
        project["layout"] = Json::object();
    return project;
}

QString DesignDocument::projectText(const Json &project) const
{
    return QStringLiteral("# Clusterdeck project: the node plan (clusterdeckd --node-config reads this file)\n"
                          "# and where each object sits on the canvas.\n") +
           QString::fromStdString(toYaml(project, projectKeyRank));
}

const Json &DesignDocument::nodes() const
{
    return m_nodes;
}

const Json *DesignDocument::node(const QString &name) const
{
    for (const Json &entry : m_nodes)
        if (str(entry, {"name"}) == name.toStdString())
            return &entry;
    return nullptr;
}

QString DesignDocument::uniqueNodeName(const QString &base) const
{
    for (int n = 1;; ++n)
        if (const QString name = base + QLatin1Char('-') + QString::number(n); !node(name))
            return name;
}

std::optional<QPointF> DesignDocument::position(const QString &id) const
{
    const Json *place = m_project.is_object() ? cd::find(m_project, {"layout", id.toStdString()}) : nullptr;
    if (!place || !place->is_object())
        return std::nullopt;
    const Json *x = cd::find(*place, {"x"});
    const Json *y = cd::find(*place, {"y"});
    if (!x || !y || !x->is_number() || !y->is_number())
        return std::nullopt;
    return QPointF(x->get<double>(), y->get<double>());
}

void DesignDocument::setPositions(const QHash<QString, QPointF> &positions)
{
    Json project = projectJson();
    for (auto it = positions.begin(); it != positions.end(); ++it)
        project["layout"][it.key().toStdString()] = place(it.value());
    pushTexts(positions.size() == 1 ? tr("Move %1").arg(positions.begin().key()) : tr("Move %n items", nullptr, int(positions.size())),
              {{kProject, projectText(project)}});
}

QString DesignDocument::addNode(const Json &entry, std::optional<QPointF> at)
{
    Json project = projectJson();
    Json added = entry;
    QString name = QString::fromStdString(str(entry, {"name"}));
    if (name.isEmpty() || node(name))
        name = uniqueNodeName();
    added["name"] = name.toStdString();
    project["nodes"].push_back(added);
    if (at)
        project["layout"][("Node/" + name).toStdString()] = place(*at);
    pushTexts(tr("Add node %1").arg(name), {{kProject, projectText(project)}});
    return name;
}

bool DesignDocument::updateNode(const QString &name, const Json &entry)
{
    Json project = projectJson();
    for (Json &n : project["nodes"]) {
        if (str(n, {"name"}) != name.toStdString())
            continue;
        if (n == entry)
            return true;
        n = entry;
        movePlace(project, ("Node/" + name).toStdString(), "Node/" + str(entry, {"name"}));
        pushTexts(tr("Change node %1").arg(name), {{kProject, projectText(project)}});
        return true;
    }
    return false;
}

void DesignDocument::removeNodes(const QStringList &names)
{
    Json project = projectJson();
    Json kept = Json::array();
    for (const Json &n : project["nodes"])
        if (!names.contains(QString::fromStdString(str(n, {"name"}))))
            kept.push_back(n);
    if (kept.size() == project["nodes"].size())
        return;
    project["nodes"] = std::move(kept);
    for (const QString &name : names)
        project["layout"].erase(("Node/" + name).toStdString());
    pushTexts(names.size() == 1 ? tr("Delete node %1").arg(names.front()) : tr("Delete %n nodes", nullptr, int(names.size())),
              {{kProject, projectText(project)}});
}

} // namespace cd::gui

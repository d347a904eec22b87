#pragma once
// The design: a project folder of Kubernetes manifests (one or many YAML files, multi-document)
// plus clusterdeck.yaml (the node plan, which `clusterdeckd --node-config` reads as it is, and
// the canvas layout). The files' text is the one source of truth: objects, nodes and positions
// are read from it, and every edit — typed in the YAML editor, made on the canvas or in the
// inspector — is a change of text, one QUndoStack command, rewriting only what it changes.

#include "engine/core/json.h"
#include "engine/core/yamlsource.h"
#include "gui/design/objectkey.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointF>
#include <QUndoStack>

#include <optional>
#include <vector>

namespace cd::gui {

struct DesignObject {
    ObjectKey key;
    Json object;
    QString file;      // project-relative path of the manifest file
    int document = 0;  // index among the file's documents (SourceDocument)
    int line = 1;      // 1-based line where its document starts
    bool served = false;  // a kind the engine serves; others are shown as unsupported, never dropped
};

class DesignDocument : public QObject {
    Q_OBJECT

public:
    static constexpr const char *kProjectFile = "clusterdeck.yaml";
    static constexpr const char *kDefaultManifest = "cluster.yaml";

    explicit DesignDocument(QObject *parent = nullptr);
    ~DesignDocument() override;

    // ---- Project on disk -------------------------------------------------------------------
    // Reads every *.yaml / *.yml below the folder (clusterdeck.yaml is the project file).
    bool open(const QString &folder, QString *error = nullptr);
    // Writes the files whose text differs from disk; a new folder for saveAs.
    bool save(QString *error = nullptr);
    bool saveAs(const QString &folder, QString *error = nullptr);
    // A design from texts (samples, tests, a single opened file): relative path -> text.
    // Without a project file, one is made with no nodes. Clears the undo history.
    void load(const QMap<QString, QString> &files, const QString &folder = {});
    QString folder() const { return m_folder; }
    bool isModified() const;

    // ---- Text --------------------------------------------------------------------------------
    QStringList manifestFiles() const;  // relative paths, project file excluded, sorted
    QStringList files() const;          // all, project file included
    QString text(const QString &file) const;
    // The file's documents as parsed (ranges, values, field positions, parse errors).
    const std::vector<SourceDocument> &documents(const QString &file) const;

    // ---- Objects -----------------------------------------------------------------------------
    const std::vector<DesignObject> &objects() const { return m_objects; }
    const DesignObject *find(const ObjectKey &key) const;
    // "web", then "web-2", "web-3", ... : a name not yet used by that kind in that namespace.
    QString uniqueName(const QString &kind, const QString &ns, const QString &base) const;

    // ---- Node plan and layout (clusterdeck.yaml) ------------------------------------------------
    // The `nodes:` entries as written (name, kind, cpu, memory, pods, labels, taints, count, ...).
    const Json &nodes() const;
    const Json *node(const QString &name) const;
    QString uniqueNodeName(const QString &base = QStringLiteral("node")) const;
    // Canvas position of an item (ObjectKey::id(), or "Node/<name>"); nullopt when not placed.
    std::optional<QPointF> position(const QString &id) const;

    // ---- Edits (each call is one undo step; group several with beginMacro/endMacro) ------------
    QUndoStack *undoStack() { return &m_undo; }
    void beginMacro(const QString &text) { m_undo.beginMacro(text); }
    void endMacro() { m_undo.endMacro(); }

    // Typing in the editor: consecutive edits of one file merge into one undo step. `origin`
    // comes back with textChanged, so the editor can tell its own edits from others.
    void setText(const QString &file, const QString &text, QObject *origin = nullptr);
    // Appends the object as a new document (to `file`, else the file of the last object, else
    // cluster.yaml); optionally placed on the canvas. Returns its key.
    ObjectKey addObject(const Json &object, std::optional<QPointF> at = {}, const QString &file = {});
    // Rewrites that object's document only (other documents, comments between them, untouched).
    // A changed name or namespace keeps the object's canvas position.
    bool updateObject(const ObjectKey &key, const Json &object);
    void removeObjects(const QList<ObjectKey> &keys);
    void setPositions(const QHash<QString, QPointF> &positions);
    // Node plan entries (by name).
    QString addNode(const Json &entry, std::optional<QPointF> at = {});
    bool updateNode(const QString &name, const Json &entry);
    void removeNodes(const QStringList &names);

Q_SIGNALS:
    // A file's text changed (any edit, undo or redo). `origin` is the object that asked for the
    // edit through setText (the editor ignores its own changes), else nullptr.
    void textChanged(const QString &file, QObject *origin);
    void objectsChanged();  // objects re-read after a manifest changed
    void nodesChanged();
    void layoutChanged();
    void filesChanged();    // files added or removed
    void reset();           // a new design was loaded or opened: every view starts over
    void modifiedChanged(bool modified);

private:
    friend class TextEditCommand;
    struct File {
        QString text;
        std::string utf8;
        std::vector<SourceDocument> documents;
        QString savedText;   // as on disk (or as loaded), to know what save must write
        bool onDisk = false;
    };
    // Applies texts (file -> new text; a null QString removes the file) without an undo command.
    void applyTexts(const QMap<QString, QString> &texts, QObject *origin);
    // Pushes one undo step that changes the given files.
    void pushTexts(const QString &description, const QMap<QString, QString> &after, bool mergeable = false,
                   QObject *origin = nullptr);
    void reparse(const QString &file);
    void rebuildObjects();
    void readProject();
    Json projectJson() const;
    QString projectText(const Json &project) const;
    // The file's text with some of its documents replaced (or removed, for a null replacement).
    QString documentsReplaced(const QString &file, const QMap<int, QString> &replacements) const;

    QString m_folder;
    QMap<QString, File> m_files;
    std::vector<DesignObject> m_objects;
    QHash<ObjectKey, size_t> m_index;
    Json m_project;  // clusterdeck.yaml as read (unknown fields kept)
    Json m_nodes = Json::array();
    QUndoStack m_undo;
};

// YAML text of one manifest object, keys in the order people write them (apiVersion, kind,
// metadata, spec, ...; name first in every list item).
QString manifestYaml(const Json &object);

} // namespace cd::gui

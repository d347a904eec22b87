#pragma once
// The canvas's model side: a QGraphicsScene that mirrors a DesignDocument. Nodes of the node
// plan, a frame per namespace, a card per object and an edge per relation; kept in step with the
// document's signals (items whose key did not change are kept, with their selection), placed at
// their stored positions or by autoLayout(). Every edit made here — drop, move, connect, delete,
// paste — is a change of the document, one undo step.

#include "gui/design/designdocument.h"
#include "gui/design/relations.h"
#include "gui/design/templates.h"

#include <QGraphicsScene>
#include <QHash>
#include <QSet>

class QGraphicsLineItem;
class QMimeData;

namespace cd::gui {

class EdgeItem;
class NamespaceFrame;
class NodeItem;
class ObjectCard;

class TopologyScene : public QGraphicsScene {
    Q_OBJECT

public:
    explicit TopologyScene(DesignDocument *document, QObject *parent = nullptr);
    ~TopologyScene() override;

    DesignDocument *document() const { return m_document; }

    // ---- Items -------------------------------------------------------------------------------
    ObjectCard *card(const ObjectKey &key) const { return m_cards.value(key); }
    NodeItem *nodeItem(const QString &name) const { return m_nodes.value(name); }
    NamespaceFrame *frame(const QString &ns) const { return m_frames.value(ns); }
    // A card, a node (kind Node) or a frame (kind Namespace).
    QGraphicsItem *itemFor(const ObjectKey &key) const;
    static ObjectKey keyOf(const QGraphicsItem *item); // null for edges and foreign items
    QList<ObjectCard *> cards() const { return m_cards.values(); }
    QList<NodeItem *> nodeItems() const { return m_nodes.values(); }
    QList<NamespaceFrame *> frames() const { return m_frames.values(); }
    QList<EdgeItem *> edgeItems() const { return m_edges.values(); }
    // The namespace whose frame holds the point ("" when none).
    QString namespaceAt(const QPointF &scenePos) const;

    // ---- Edits (each is one undo step) ------------------------------------------------------
    // A new object (or node plan entry) of the palette kind at the point, with a unique name, in
    // the namespace of the frame under the point (else "default"); selected afterwards.
    ObjectKey dropKind(const KindTemplate &kind, QPointF scenePos);
    // Draws an edge: relations::connect() decides what it means (either direction); false when
    // the pair has no meaning or the edge holds already.
    bool connectItems(const ObjectKey &from, const ObjectKey &to);
    void deleteSelection();
    QMimeData *selectionMimeData() const;
    // Adds the objects with unique names, each next to its original when it has one.
    QList<ObjectKey> pasteMimeData(const QMimeData *data);
    bool exportImage(const QString &path, QString *error = nullptr);

    QList<ObjectKey> selectedKeys() const;

public Q_SLOTS:
    // Selection shared with the tree, the YAML editor and the inspector (no signal back).
    void selectKeys(const QList<cd::gui::ObjectKey> &keys);
    void selectAllItems();
    void copySelection();
    void paste();

Q_SIGNALS:
    void selectionChangedTo(const QList<cd::gui::ObjectKey> &keys);
    // A new object from the palette is on the canvas (and selected): the inspector offers its
    // first field to fill in.
    void objectDropped(const cd::gui::ObjectKey &key);
    // Items were added, removed or placed (after every change of the document): for overviews.
    // (Connecting to QGraphicsScene::changed instead would slow every item update down.)
    void contentChanged();
    // A short note for the status bar ("Service and ConfigMap have nothing to connect").
    void statusMessage(const QString &message);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    void rebuild();
    void syncObjects();
    void syncNodes();
    void syncEdges();
    void placeItems();
    void removeCard(ObjectCard *card);
    void removeEdge(EdgeItem *edge);
    QString edgeId(const relations::Edge &edge) const;
    // Positions of items placed by the automatic layout: written along with the first edit that
    // places something, so no other item jumps when the layout's grid changes.
    QHash<QString, QPointF> unpinnedPositions() const;
    void commitMove();
    ObjectCard *cardAt(const QPointF &scenePos, const ObjectCard *except = nullptr) const;
    void selectAndAnnounce(const QList<ObjectKey> &keys);
    void announceSelection();

    DesignDocument *m_document;
    QHash<ObjectKey, ObjectCard *> m_cards;
    QHash<QString, NodeItem *> m_nodes;
    QHash<QString, NamespaceFrame *> m_frames;
    QHash<QString, EdgeItem *> m_edges;
    QStringList m_unpinned; // ids placed by autoLayout
    QHash<QGraphicsItem *, QPointF> m_pressPositions;
    ObjectCard *m_connectFrom = nullptr;
    QGraphicsLineItem *m_connectLine = nullptr;
    bool m_silentSelection = false;
    int m_pasteCount = 0;
};

} // namespace cd::gui

#include "gui/topology/topologyscene.h"

#include "gui/topology/autolayout.h"
#include "gui/topology/edgeitem.h"
#include "gui/topology/namespaceframe.h"
#include "gui/topology/nodeitem.h"
#include "gui/topology/objectcard.h"
#include "gui/topology/objectclipboard.h"
#include "gui/topology/sceneexport.h"

#include <QClipboard>
#include <QGraphicsLineItem>
#include <QGraphicsSceneMouseEvent>
#include <QGuiApplication>
#include <QMimeData>
#include <QPalette>

#include <algorithm>
#include <functional>

namespace cd::gui {
namespace {

constexpr qreal kPasteOffset = 32;

// Cards of a namespace in reading order: traffic first, then workloads, storage, configuration.
int kindRank(const QString &kind)
{
    static const QStringList order = {QStringLiteral("Ingress"),
                                      QStringLiteral("Service"),
                                      QStringLiteral("Deployment"),
                                      QStringLiteral("StatefulSet"),
                                      QStringLiteral("DaemonSet"),
                                      QStringLiteral("ReplicaSet"),
                                      QStringLiteral("Job"),
                                      QStringLiteral("CronJob"),
                                      QStringLiteral("Pod"),
                                      QStringLiteral("PersistentVolumeClaim"),
                                      QStringLiteral("PersistentVolume"),
                                      QStringLiteral("StorageClass"),
                                      QStringLiteral("ConfigMap"),
                                      QStringLiteral("Secret")};
    const int rank = int(order.indexOf(kind));
    return rank < 0 ? int(order.size()) : rank;
}

bool cardOrder(const ObjectCard *a, const ObjectCard *b)
{
    const int ra = kindRank(a->key().kind), rb = kindRank(b->key().kind);
    if (ra != rb)
        return ra < rb;
    if (a->key().kind != b->key().kind)
        return a->key().kind < b->key().kind;
    return a->key().name < b->key().name;
}

QString nodeNameOf(const Json &entry)
{
    const std::string name = str(entry, {"name"});
    return QString::fromStdString(name.empty() ? str(entry, {"namePrefix"}) : name);
}

// Fields that belong to one live object, never to a copy of it.
void stripServerFields(Json &object)
{
    if (Json *meta = cd::find(object, {"metadata"}); meta && meta->is_object())
        for (const char *field :
             {"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink"})
            meta->erase(field);
    object.erase("status");
}

// Cards in layout order: each group of connected cards together (a Service beside its
// Deployment, its claim and its ConfigMap), groups by their first member, each group in
// reading order: short edges, and the same picture for the same design.
QList<ObjectCard *> layoutOrder(QList<ObjectCard *> cards)
{
    QHash<const ObjectCard *, const ObjectCard *> parent;
    for (const ObjectCard *card : std::as_const(cards))
        parent.insert(card, card);
    std::function<const ObjectCard *(const ObjectCard *)> root = [&](const ObjectCard *c) {
        const ObjectCard *p = parent.value(c);
        if (p == c)
            return c;
        const ObjectCard *r = root(p);
        parent[c] = r;
        return r;
    };
    for (const ObjectCard *card : std::as_const(cards))
        for (const EdgeItem *edge : card->edges())
            if (edge->fromCard() && edge->toCard() && parent.contains(edge->fromCard()) &&
                parent.contains(edge->toCard())) {
                const ObjectCard *a = root(edge->fromCard()), *b = root(edge->toCard());
                if (a != b)
                    parent[cardOrder(a, b) ? b : a] = cardOrder(a, b) ? a : b; // the first member leads
            }
    std::sort(cards.begin(), cards.end(), [&](const ObjectCard *a, const ObjectCard *b) {
        const ObjectCard *ra = root(a), *rb = root(b);
        if (ra != rb)
            return cardOrder(ra, rb);
        return cardOrder(a, b);
    });
    return cards;
}

} // namespace

TopologyScene::TopologyScene(DesignDocument *document, QObject *parent) : QGraphicsScene(parent), m_document(document)
{
    setItemIndexMethod(BspTreeIndex);
    connect(document, &DesignDocument::reset, this, &TopologyScene::rebuild);
    connect(document, &DesignDocument::objectsChanged, this, [this] {
        syncObjects();
        syncEdges();
        placeItems();
    });
    connect(document, &DesignDocument::nodesChanged, this, [this] {
        syncNodes();
        placeItems();
    });
    connect(document, &DesignDocument::layoutChanged, this, &TopologyScene::placeItems);
    connect(this, &QGraphicsScene::selectionChanged, this, [this] {
        if (!m_silentSelection)
            announceSelection();
    });
    rebuild();
}

TopologyScene::~TopologyScene()
{
    // Going away says nothing: views connected to the selection may be gone already.
    blockSignals(true);
    // Edges first: they hold pointers to the cards.
    qDeleteAll(m_edges);
    m_edges.clear();
}

// ---- Mirroring the document -------------------------------------------------------------------

void TopologyScene::rebuild()
{
    {
        const QSignalBlocker block(this); // one announcement below, not one per removed item
        qDeleteAll(m_edges);
        m_edges.clear();
        delete m_connectLine;
        m_connectLine = nullptr;
        m_connectFrom = nullptr;
        m_pressPositions.clear();
        qDeleteAll(m_cards);
        m_cards.clear();
        qDeleteAll(m_frames);
        m_frames.clear();
        qDeleteAll(m_nodes);
        m_nodes.clear();
        m_pasteCount = 0;
        syncNodes();
        syncObjects();
        syncEdges();
        placeItems();
    }
    Q_EMIT contentChanged();
    announceSelection();
}

void TopologyScene::syncObjects()
{
    QSet<ObjectKey> seen;
    QMap<QString, QList<ObjectCard *>> byNamespace;
    QSet<QString> definedNamespaces;
    for (const DesignObject &o : m_document->objects()) {
        if (o.key.isNull() || seen.contains(o.key))
            continue; // a second definition is a diagnostic of the YAML, not a second card
        seen.insert(o.key);
        if (o.key.kind == QLatin1String("Namespace") && o.key.group.isEmpty()) {
            definedNamespaces.insert(o.key.name);
            continue;
        }
        ObjectCard *&card = m_cards[o.key];
        if (!card) {
            card = new ObjectCard(o.key);
            addItem(card);
        }
        card->setObject(o.object, o.served);
        if (!o.key.ns.isEmpty())
            byNamespace[o.key.ns].append(card);
    }
    const QList<ObjectCard *> existing = m_cards.values();
    for (ObjectCard *card : existing)
        if (!seen.contains(card->key()))
            removeCard(card);

    for (const QString &ns : definedNamespaces)
        byNamespace[ns]; // an empty frame for a Namespace without objects
    for (auto it = m_frames.begin(); it != m_frames.end();) {
        if (!byNamespace.contains(it.key())) {
            m_pressPositions.remove(it.value());
            delete it.value();
            it = m_frames.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = byNamespace.begin(); it != byNamespace.end(); ++it) {
        NamespaceFrame *&frame = m_frames[it.key()];
        if (!frame) {
            frame = new NamespaceFrame(it.key());
            addItem(frame);
        }
        frame->setFitDeferred(true); // placeItems() fits once everything is placed
        frame->setDefined(definedNamespaces.contains(it.key()));
        std::sort(it.value().begin(), it.value().end(), cardOrder);
        frame->setCards(it.value());
        for (ObjectCard *card : std::as_const(it.value()))
            card->setFrame(frame);
    }
    for (ObjectCard *card : std::as_const(m_cards))
        if (card->key().ns.isEmpty())
            card->setFrame(nullptr);
}

void TopologyScene::syncNodes()
{
    QSet<QString> seen;
    for (const Json &entry : m_document->nodes()) {
        const QString name = nodeNameOf(entry);
        if (name.isEmpty() || seen.contains(name))
            continue;
        seen.insert(name);
        NodeItem *&item = m_nodes[name];
        if (!item) {
            item = new NodeItem(name);
            addItem(item);
        }
        item->setEntry(entry);
    }
    for (auto it = m_nodes.begin(); it != m_nodes.end();) {
        if (!seen.contains(it.key())) {
            m_pressPositions.remove(it.value());
            delete it.value();
            it = m_nodes.erase(it);
        } else {
            ++it;
        }
    }
}

QString TopologyScene::edgeId(const relations::Edge &edge) const
{
    return edge.from.id() + QLatin1Char('|') + edge.to.id() + QLatin1Char('|') + relations::edgeKindName(edge.kind) +
           QLatin1Char('|') + edge.message;
}

void TopologyScene::syncEdges()
{
    const QList<relations::Edge> edges = relations::edges(m_document->objects());
    QHash<QString, EdgeItem *> next;
    QHash<ObjectKey, QStringList> problems;
    QHash<ObjectKey, int> brokenSlots;
    for (const relations::Edge &edge : edges) {
        ObjectCard *from = m_cards.value(edge.from);
        ObjectCard *to = edge.broken ? nullptr : m_cards.value(edge.to);
        if (!from || (!edge.broken && !to))
            continue;
        const QString id = edgeId(edge);
        if (next.contains(id))
            continue;
        const int slot = edge.broken ? brokenSlots[edge.from]++ : 0;
        EdgeItem *item = m_edges.take(id);
        if (!item) {
            item = new EdgeItem(edge, from, to, slot);
            addItem(item);
        } else {
            item->setSlot(slot);
        }
        next.insert(id, item);
        if (edge.broken)
            problems[edge.from].append(edge.message);
    }
    qDeleteAll(m_edges);
    m_edges = std::move(next);
    for (ObjectCard *card : std::as_const(m_cards))
        card->setProblems(problems.value(card->key()));
}

void TopologyScene::removeEdge(EdgeItem *edge)
{
    m_edges.remove(edgeId(edge->edge()));
    delete edge;
}

void TopologyScene::removeCard(ObjectCard *card)
{
    const QList<EdgeItem *> edges = card->edges();
    for (EdgeItem *edge : edges)
        removeEdge(edge);
    if (card == m_connectFrom) {
        delete m_connectLine;
        m_connectLine = nullptr;
        m_connectFrom = nullptr;
    }
    m_pressPositions.remove(card);
    m_cards.remove(card->key());
    delete card;
}

void TopologyScene::placeItems()
{
    LayoutRequest request;
    QHash<QString, QGraphicsItem *> items;
    auto collect = [&](const QString &id, QGraphicsItem *item) {
        items.insert(id, item);
        if (const auto p = m_document->position(id))
            request.placed.insert(id, *p);
    };
    for (const Json &entry : m_document->nodes()) {
        const QString name = nodeNameOf(entry);
        if (NodeItem *node = m_nodes.value(name); node && !items.contains(node->key().id())) {
            request.nodes << node->key().id();
            collect(node->key().id(), node);
        }
    }
    // Cluster-scoped objects first, then "default", then namespaces by name.
    LayoutGroup cluster;
    QList<ObjectCard *> clusterCards;
    for (ObjectCard *card : std::as_const(m_cards))
        if (!card->frame())
            clusterCards << card;
    clusterCards = layoutOrder(clusterCards);
    for (ObjectCard *card : std::as_const(clusterCards)) {
        cluster.cards << card->key().id();
        collect(card->key().id(), card);
    }
    if (!cluster.cards.isEmpty())
        request.groups << cluster;
    QStringList namespaces = m_frames.keys();
    std::sort(namespaces.begin(), namespaces.end(), [](const QString &a, const QString &b) {
        const bool da = a == QLatin1String("default"), db = b == QLatin1String("default");
        return da != db ? da : a < b;
    });
    for (const QString &ns : std::as_const(namespaces)) {
        NamespaceFrame *frame = m_frames.value(ns);
        LayoutGroup group;
        group.frameId = frame->key().id();
        collect(group.frameId, frame);
        for (ObjectCard *card : layoutOrder(frame->cards())) {
            group.cards << card->key().id();
            collect(card->key().id(), card);
        }
        request.groups << group;
    }

    const QHash<QString, QPointF> positions = autoLayout(request);
    for (NamespaceFrame *frame : std::as_const(m_frames))
        frame->setFitDeferred(true);
    m_unpinned.clear();
    for (auto it = items.begin(); it != items.end(); ++it) {
        if (!request.placed.contains(it.key()))
            m_unpinned << it.key();
        const auto *frame = qgraphicsitem_cast<NamespaceFrame *>(it.value());
        if (frame && !frame->cards().isEmpty())
            continue; // a frame with cards is where its cards are
        const QPointF p = positions.value(it.key());
        if (it.value()->pos() != p)
            it.value()->setPos(p);
    }
    std::sort(m_unpinned.begin(), m_unpinned.end());
    for (NamespaceFrame *frame : std::as_const(m_frames)) {
        frame->setFitDeferred(false);
        frame->fit();
    }
    Q_EMIT contentChanged();
}

// ---- Keys and items ---------------------------------------------------------------------------

QGraphicsItem *TopologyScene::itemFor(const ObjectKey &key) const
{
    if (key.group.isEmpty() && key.kind == QLatin1String("Node"))
        return m_nodes.value(key.name);
    if (key.group.isEmpty() && key.kind == QLatin1String("Namespace"))
        return m_frames.value(key.name);
    return m_cards.value(key);
}

ObjectKey TopologyScene::keyOf(const QGraphicsItem *item)
{
    if (!item)
        return {};
    switch (item->type()) {
    case ObjectCard::Type: return static_cast<const ObjectCard *>(item)->key();
    case NodeItem::Type: return static_cast<const NodeItem *>(item)->key();
    case NamespaceFrame::Type: return static_cast<const NamespaceFrame *>(item)->key();
    default: return {};
    }
}

QString TopologyScene::namespaceAt(const QPointF &scenePos) const
{
    // The smallest frame containing the point (frames do not nest, but may overlap).
    QString best;
    qreal bestArea = 0;
    for (const NamespaceFrame *frame : std::as_const(m_frames)) {
        const QRectF r = frame->mapRectToScene(frame->frameRect());
        if (!r.contains(scenePos))
            continue;
        const qreal area = r.width() * r.height();
        if (best.isEmpty() || area < bestArea) {
            best = frame->ns();
            bestArea = area;
        }
    }
    return best;
}

QList<ObjectKey> TopologyScene::selectedKeys() const
{
    QList<ObjectKey> keys;
    for (const QGraphicsItem *item : selectedItems())
        if (const ObjectKey key = keyOf(item); !key.isNull())
            keys << key;
    std::sort(keys.begin(), keys.end());
    return keys;
}

void TopologyScene::selectKeys(const QList<ObjectKey> &keys)
{
    m_silentSelection = true;
    clearSelection();
    for (const ObjectKey &key : keys)
        if (QGraphicsItem *item = itemFor(key))
            item->setSelected(true);
    m_silentSelection = false;
}

void TopologyScene::selectAndAnnounce(const QList<ObjectKey> &keys)
{
    selectKeys(keys);
    announceSelection();
}

void TopologyScene::announceSelection()
{
    Q_EMIT selectionChangedTo(selectedKeys());
}

void TopologyScene::selectAllItems()
{
    m_silentSelection = true;
    for (QGraphicsItem *item : items())
        if (item->flags() & QGraphicsItem::ItemIsSelectable)
            item->setSelected(true);
    m_silentSelection = false;
    announceSelection();
}

// ---- Edits ------------------------------------------------------------------------------------

QHash<QString, QPointF> TopologyScene::unpinnedPositions() const
{
    QHash<QString, QPointF> out;
    for (const QString &id : m_unpinned)
        if (const QGraphicsItem *item = itemFor(ObjectKey::fromId(id)))
            out.insert(id, item->pos());
    return out;
}

ObjectKey TopologyScene::dropKind(const KindTemplate &kind, QPointF scenePos)
{
    const QHash<QString, QPointF> pins = unpinnedPositions();
    if (kind.kind == QLatin1String("Node")) {
        const QString name = m_document->uniqueNodeName(kind.baseName);
        m_document->beginMacro(tr("Add node %1").arg(name));
        if (!pins.isEmpty())
            m_document->setPositions(pins);
        const QString added = m_document->addNode(newNodeEntry(name, kind.nodeKind),
                                                  scenePos - QPointF(NodeItem::kWidth / 2, NodeItem::kHeight / 2));
        m_document->endMacro();
        const ObjectKey key = NodeItem::keyOf(added);
        selectAndAnnounce({key});
        return key;
    }
    QString ns;
    if (isNamespacedKind(kind.kind)) {
        ns = namespaceAt(scenePos);
        if (ns.isEmpty())
            ns = QStringLiteral("default");
    }
    const QString name = m_document->uniqueName(kind.kind, ns, kind.baseName);
    const Json object = newObject(kind.kind, name, ns);
    if (object.is_null())
        return {};
    const QPointF at = kind.kind == QLatin1String("Namespace")
                           ? scenePos - QPointF(NamespaceFrame::emptySize().width() / 2, NamespaceFrame::kTitle / 2)
                           : scenePos - QPointF(ObjectCard::kWidth / 2, ObjectCard::kHeight / 2);
    m_document->beginMacro(tr("Add %1 %2").arg(kind.kind, name));
    if (!pins.isEmpty())
        m_document->setPositions(pins);
    const ObjectKey key = m_document->addObject(object, at);
    m_document->endMacro();
    selectAndAnnounce({key});
    Q_EMIT objectDropped(key);
    return key;
}

bool TopologyScene::connectItems(const ObjectKey &from, const ObjectKey &to)
{
    const DesignObject *a = m_document->find(from);
    const DesignObject *b = m_document->find(to);
    if (!a || !b || from == to)
        return false;
    Json source = a->object, target = b->object;
    auto kind = relations::connectionKind(source, target);
    if (!kind) {
        std::swap(source, target);
        kind = relations::connectionKind(source, target);
    }
    if (!kind) {
        Q_EMIT statusMessage(tr("%1 and %2 have nothing to connect").arg(from.display(), to.display()));
        return false;
    }
    const std::vector<Json> changed = relations::connect(*kind, source, target);
    if (changed.empty()) {
        Q_EMIT statusMessage(tr("%1 and %2 are connected already").arg(from.display(), to.display()));
        return false;
    }
    m_document->beginMacro(
        tr("Connect %1 to %2").arg(ObjectKey::of(source).display(), ObjectKey::of(target).display()));
    for (const Json &object : changed)
        m_document->updateObject(ObjectKey::of(object), object);
    m_document->endMacro();
    return true;
}

void TopologyScene::deleteSelection()
{
    QList<ObjectKey> objects;
    QStringList nodes;
    QSet<ObjectKey> seen;
    auto addObject = [&](const ObjectKey &key) {
        if (!seen.contains(key) && m_document->find(key)) {
            seen.insert(key);
            objects << key;
        }
    };
    for (const QGraphicsItem *item : selectedItems()) {
        if (const auto *card = qgraphicsitem_cast<const ObjectCard *>(item)) {
            addObject(card->key());
        } else if (const auto *node = qgraphicsitem_cast<const NodeItem *>(item)) {
            nodes << node->name();
        } else if (const auto *frame = qgraphicsitem_cast<const NamespaceFrame *>(item)) {
            // As in Kubernetes, a namespace goes with everything in it.
            addObject(frame->key());
            for (const ObjectCard *card : frame->cards())
                addObject(card->key());
        }
    }
    if (objects.isEmpty() && nodes.isEmpty())
        return;
    std::sort(objects.begin(), objects.end());
    nodes.sort();
    m_document->beginMacro(tr("Delete %n items", nullptr, int(objects.size() + nodes.size())));
    if (!objects.isEmpty())
        m_document->removeObjects(objects);
    if (!nodes.isEmpty())
        m_document->removeNodes(nodes);
    m_document->endMacro();
}

QMimeData *TopologyScene::selectionMimeData() const
{
    CopiedObjects copied;
    QSet<ObjectKey> seen;
    auto add = [&](const ObjectKey &key, const QGraphicsItem *item) {
        const DesignObject *o = m_document->find(key);
        if (!o || seen.contains(key))
            return;
        seen.insert(key);
        copied.objects.push_back(o->object);
        copied.positions.insert(key.id(), item->pos());
    };
    QList<QGraphicsItem *> selected = selectedItems();
    std::sort(selected.begin(), selected.end(),
              [](const QGraphicsItem *a, const QGraphicsItem *b) { return keyOf(a) < keyOf(b); });
    for (const QGraphicsItem *item : std::as_const(selected)) {
        if (const auto *card = qgraphicsitem_cast<const ObjectCard *>(item)) {
            add(card->key(), card);
        } else if (const auto *frame = qgraphicsitem_cast<const NamespaceFrame *>(item)) {
            add(frame->key(), frame);
            for (const ObjectCard *card : frame->cards())
                add(card->key(), card);
        }
    }
    return copiedObjectsMimeData(copied);
}

void TopologyScene::copySelection()
{
    QMimeData *data = selectionMimeData();
    if (!data->hasText() || data->text().isEmpty()) {
        delete data;
        return;
    }
    m_pasteCount = 0;
    QGuiApplication::clipboard()->setMimeData(data);
}

void TopologyScene::paste()
{
    pasteMimeData(QGuiApplication::clipboard()->mimeData());
}

QList<ObjectKey> TopologyScene::pasteMimeData(const QMimeData *data)
{
    const CopiedObjects copied = copiedObjectsFrom(data);
    if (copied.objects.empty())
        return {};
    const qreal offset = kPasteOffset * ++m_pasteCount;
    const QHash<QString, QPointF> pins = unpinnedPositions();
    QList<ObjectKey> added;
    m_document->beginMacro(tr("Paste %n objects", nullptr, int(copied.objects.size())));
    if (!pins.isEmpty())
        m_document->setPositions(pins);
    for (Json object : copied.objects) {
        const ObjectKey original = ObjectKey::of(object);
        stripServerFields(object);
        object["metadata"]["name"] = m_document->uniqueName(original.kind, original.ns, original.name).toStdString();
        std::optional<QPointF> at;
        if (const auto it = copied.positions.constFind(original.id()); it != copied.positions.constEnd())
            at = *it + QPointF(offset, offset);
        added << m_document->addObject(object, at);
    }
    m_document->endMacro();
    selectAndAnnounce(added);
    return added;
}

bool TopologyScene::exportImage(const QString &path, QString *error)
{
    return exportScene(this, path, error);
}

// ---- Mouse: moving and connecting -------------------------------------------------------------

ObjectCard *TopologyScene::cardAt(const QPointF &scenePos, const ObjectCard *except) const
{
    for (QGraphicsItem *item : items(scenePos))
        if (auto *card = qgraphicsitem_cast<ObjectCard *>(item); card && card != except)
            return card;
    return nullptr;
}

void TopologyScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    if (event->button() == Qt::LeftButton || event->button() == Qt::RightButton) {
        ObjectCard *card = cardAt(event->scenePos());
        const bool onHandle = card && card->handleRect().contains(card->mapFromScene(event->scenePos()));
        const bool connecting =
            card && (event->button() == Qt::RightButton || onHandle || (event->modifiers() & Qt::ShiftModifier));
        if (connecting) {
            m_connectFrom = card;
            const QPointF start = card->sceneBoundingRect().center();
            m_connectLine = new QGraphicsLineItem(QLineF(start, event->scenePos()));
            QPen pen(palette().color(QPalette::Highlight), 1.5, Qt::DashLine);
            pen.setCosmetic(true);
            m_connectLine->setPen(pen);
            m_connectLine->setZValue(zorder::kDrag);
            addItem(m_connectLine);
            event->accept();
            return;
        }
    }
    QGraphicsScene::mousePressEvent(event);
    if (event->button() != Qt::LeftButton)
        return;
    m_pressPositions.clear();
    for (QGraphicsItem *item : selectedItems()) {
        if (!(item->flags() & QGraphicsItem::ItemIsMovable))
            continue;
        m_pressPositions.insert(item, item->pos());
        if (const auto *frame = qgraphicsitem_cast<NamespaceFrame *>(item))
            for (ObjectCard *card : frame->cards())
                m_pressPositions.insert(card, card->pos());
    }
}

void TopologyScene::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_connectLine) {
        m_connectLine->setLine(QLineF(m_connectLine->line().p1(), event->scenePos()));
        event->accept();
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void TopologyScene::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (m_connectLine) {
        const ObjectKey from = m_connectFrom ? m_connectFrom->key() : ObjectKey();
        const ObjectCard *target = cardAt(event->scenePos(), m_connectFrom);
        const ObjectKey to = target ? target->key() : ObjectKey();
        delete m_connectLine;
        m_connectLine = nullptr;
        m_connectFrom = nullptr;
        event->accept();
        if (!from.isNull() && !to.isNull())
            connectItems(from, to);
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    if (event->button() == Qt::LeftButton)
        commitMove();
}

void TopologyScene::commitMove()
{
    QHash<QString, QPointF> moved;
    for (auto it = m_pressPositions.begin(); it != m_pressPositions.end(); ++it)
        if (it.key()->pos() != it.value())
            moved.insert(keyOf(it.key()).id(), it.key()->pos());
    m_pressPositions.clear();
    if (moved.isEmpty())
        return;
    QHash<QString, QPointF> positions = unpinnedPositions();
    positions.insert(moved);
    m_document->setPositions(positions);
}

bool TopologyScene::event(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange ||
        event->type() == QEvent::FontChange) {
        // Cached pixmaps hold the old colors.
        const bool handled = QGraphicsScene::event(event);
        for (QGraphicsItem *item : items())
            item->update();
        return handled;
    }
    return QGraphicsScene::event(event);
}

} // namespace cd::gui

using System.Globalization;
using System.Text;
using CanvasSync.Sandbox.Api;
using CanvasSync.Sandbox.World;
using GraphQL;
using GraphQL.Types;
using GraphQLParser.AST;

namespace CanvasSync.Sandbox.GraphQL;

// The part of Canvas's schema.graphql CanvasSync reads (docs/canvas.md §7), with Canvas's names, defaults and
// permissions: _id is the REST id, id the Relay global id; connections page 20 by default and at most 100;
// submissions default to the submitted, pending_review and graded states; enrollments to active ones.

/// <summary>Who asks: the resolvers read the world as this request's user.</summary>
internal sealed class GraphCaller(Http.CanvasRequest request) : Dictionary<string, object?>
{
    public Http.CanvasRequest Request { get; } = request;
    public SandboxWorld World => Request.World;

    public static GraphCaller Of(IResolveFieldContext context) => (GraphCaller)context.UserContext;

    /// <summary>The caller's "currentish" courses (allCourses): active or invited enrollments in courses neither concluded nor
    /// deleted.</summary>
    public List<SCourse> CurrentCourses() => World.EnrollmentsOfUser(Request.User.Id)
        .Where(e => e.State is "active" or "invited")
        .Select(e => World.Courses[e.CourseId]).Where(c => c.WorkflowState is "available" or "unpublished")
        .DistinctBy(c => c.Id).Where(c => RoleIn(c) is not null).OrderBy(c => c.Id).ToList();

    /// <summary>The caller's role in a course, or null when they may not read it (the field is then null, as in Canvas).</summary>
    public CourseRole? RoleIn(SCourse course) => Access.Course(Request, course.Id, out _, out var role) is null ? role : null;
}

/// <summary>One page of a connection and where the next starts.</summary>
internal sealed record GraphPage<T>(IReadOnlyList<T> Nodes, bool HasNextPage, string? EndCursor)
{
    /// <summary>
    /// A page of <paramref name="ordered"/> after the cursor: <c>first</c> defaults to 20 and is capped at 100, silently,
    /// as graphql-ruby's max_page_size does. Cursors are opaque (base64 of the offset), as graphql-ruby's are.
    /// </summary>
    public static GraphPage<T> Of(IReadOnlyList<T> ordered, IResolveFieldContext context)
    {
        var size = QueryLimits.PageSize(context.GetArgument<int?>("first"));
        var after = context.GetArgument<string?>("after") is { } cursor ? Offset(cursor) : 0;
        var nodes = ordered.Skip(after).Take(size).ToList();
        var end = after + nodes.Count;
        return new GraphPage<T>(nodes, end < ordered.Count, nodes.Count > 0
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes(end.ToString(CultureInfo.InvariantCulture))) : null);
    }

    private static int Offset(string cursor)
    {
        try
        {
            return int.TryParse(Encoding.UTF8.GetString(Convert.FromBase64String(cursor)), CultureInfo.InvariantCulture, out var n)
                && n >= 0 ? n : 0;
        }
        catch (FormatException)
        {
            return 0;
        }
    }
}

/// <summary>Canvas's DateTime: ISO 8601 in whole seconds (graphql-ruby's ISO8601DateTime), read back from the same.</summary>
internal sealed class CanvasDateTimeGraphType : ScalarGraphType
{
    public CanvasDateTimeGraphType() => Name = "DateTime";

    public override object? Serialize(object? value) => value switch
    {
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        null => null,
        _ => throw new InvalidOperationException("not a time"),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
            out var t) => t,
        DateTime t => t.ToUniversalTime(),
        _ => ThrowValueConversionError(value),
    };

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLStringValue s => ParseValue(s.Value.ToString()),
        GraphQLNullValue => null,
        _ => ThrowLiteralConversionError(value),
    };
}

/// <summary>Anything legacyNode can find; its id is the Relay id.</summary>
internal sealed class NodeGraphType : InterfaceGraphType
{
    public NodeGraphType()
    {
        Name = "Node";
        Field<NonNullGraphType<IdGraphType>>("id");
    }
}

internal sealed class NodeTypeGraphType : EnumerationGraphType
{
    public NodeTypeGraphType()
    {
        Name = "NodeType";
        foreach (var type in new[] { "Course", "User" }) Add(type, type);
    }
}

internal sealed class PageInfoGraphType : ObjectGraphType<(bool HasNextPage, string? EndCursor)>
{
    public PageInfoGraphType()
    {
        Name = "PageInfo";
        Field<NonNullGraphType<BooleanGraphType>>("hasNextPage").Resolve(c => c.Source.HasNextPage);
        Field<StringGraphType>("endCursor").Resolve(c => c.Source.EndCursor);
    }
}

/// <summary>A connection's nodes and page info (Canvas serves edges too; CanvasSync reads nodes).</summary>
internal abstract class ConnectionGraphType<TNode, TNodeGraphType> : ObjectGraphType<GraphPage<TNode>> where TNodeGraphType : IGraphType
{
    protected ConnectionGraphType(string name)
    {
        Name = name;
        Field<NonNullGraphType<ListGraphType<TNodeGraphType>>>("nodes").Resolve(c => c.Source.Nodes);
        Field<NonNullGraphType<PageInfoGraphType>>("pageInfo").Resolve(c => (c.Source.HasNextPage, c.Source.EndCursor));
    }

    /// <summary>The arguments every connection takes.</summary>
    public static QueryArguments Paging(params QueryArgument[] more) =>
        new([new QueryArgument<IntGraphType> { Name = "first" }, new QueryArgument<StringGraphType> { Name = "after" }, .. more]);
}

/// <summary>A Canvas object type: its name, <c>_id</c> (the REST id) and <c>id</c> (the Relay global id of that name).</summary>
internal abstract class CanvasObjectGraphType<T> : ObjectGraphType<T>
{
    protected CanvasObjectGraphType(string name, Func<T, long> id)
    {
        Name = name;
        Field<NonNullGraphType<IdGraphType>>("_id").Resolve(c => GraphIds.Legacy(id(c.Source)));
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => GraphIds.Relay(name, id(c.Source)));
    }
}

internal static class GraphIds
{
    /// <summary>The Relay global id: base64 of "Type-id" (what REST's id is in GraphQL's _id).</summary>
    public static string Relay(string type, long id) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{type}-{id}"));

    public static string Legacy(long id) => id.ToString(CultureInfo.InvariantCulture);
}

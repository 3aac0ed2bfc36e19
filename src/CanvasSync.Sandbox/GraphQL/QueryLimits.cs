using System.Globalization;
using GraphQLParser;
using GraphQLParser.AST;

namespace CanvasSync.Sandbox.GraphQL;

/// <summary>
/// The limits Canvas puts on a GraphQL query before running it (docs/canvas.md §7; canvas-lms graphql_tuning.rb and
/// graphql-ruby's analyzers), each refused as HTTP 200 with an <c>errors</c> array and no data. Checked on the parsed
/// document, fragments expanded, so a query cannot hide depth or cost behind a spread.
/// </summary>
internal static class QueryLimits
{
    public const int MaxTokens = 5_000;
    public const int MaxDepth = 15;
    public const int MaxComplexity = 375_000;
    public const int MaxAliases = 20;
    public const int MaxDirectives = 5;

    /// <summary>A connection's page when <c>first</c> is left out (graphql-ruby default_page_size), and its cap.</summary>
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>Whether the query has more lexical tokens than Canvas parses (graphql-ruby max_query_string_tokens).</summary>
    public static bool TooManyTokens(string query) => Tokens(query, stopPast: MaxTokens) > MaxTokens;

    /// <summary>The query's lexical tokens, counted without parsing it, up to one past <paramref name="stopPast"/>.</summary>
    public static int Tokens(string query, int stopPast = int.MaxValue - 1)
    {
        var tokens = 0;
        var at = 0;
        while (tokens <= stopPast)
        {
            var token = Lexer.Lex(query, at);
            if (token.Kind == TokenKind.EOF) break;
            tokens++;
            at = token.End;
        }

        return tokens;
    }

    /// <summary>What the limits measure of a query.</summary>
    public sealed record Measure(int Depth, long Complexity, int Aliases, int Directives);

    /// <summary>The first limit the document breaks, as Canvas words it; null when it breaks none.</summary>
    public static string? Check(GraphQLDocument document, IReadOnlyDictionary<string, object?> variables)
    {
        var m = Measured(document, variables);
        if (m.Depth > MaxDepth) return $"Query has depth of {m.Depth}, which exceeds max depth of {MaxDepth}";
        if (m.Complexity > MaxComplexity) return $"Query has complexity of {m.Complexity}, which exceeds max complexity of {MaxComplexity}";
        if (m.Aliases > MaxAliases) return $"Query has {m.Aliases} aliases, which exceeds the limit of {MaxAliases}";
        if (m.Directives > MaxDirectives) return $"Query has {m.Directives} directives, which exceeds the limit of {MaxDirectives}";
        return null;
    }

    /// <summary>Depth, complexity, aliases and directives of every operation, fragments expanded.</summary>
    public static Measure Measured(GraphQLDocument document, IReadOnlyDictionary<string, object?> variables)
    {
        var fragments = document.Definitions.OfType<GraphQLFragmentDefinition>()
            .ToDictionary(f => f.FragmentName.Name.StringValue, StringComparer.Ordinal);
        var walk = new Walk(fragments, variables);
        foreach (var operation in document.Definitions.OfType<GraphQLOperationDefinition>())
        {
            walk.Directives += operation.Directives?.Items.Count ?? 0;
            var (depth, complexity) = walk.SelectionSet(operation.SelectionSet, 0);
            walk.Depth = Math.Max(walk.Depth, depth);
            walk.Complexity += complexity;
        }

        return new Measure(walk.Depth, walk.Complexity, walk.Aliases, walk.Directives);
    }

    /// <summary>The page size a connection field asks for: its <c>first</c> (a literal or a variable), else the default; capped.</summary>
    public static int PageSize(int? first) => Math.Clamp(first ?? DefaultPageSize, 0, MaxPageSize);

    private sealed class Walk(Dictionary<string, GraphQLFragmentDefinition> fragments, IReadOnlyDictionary<string, object?> variables)
    {
        public int Depth;
        public long Complexity;
        public int Aliases;
        public int Directives;
        private readonly HashSet<string> _expanding = new(StringComparer.Ordinal);

        /// <summary>The deepest field below (counting this level) and the summed cost of the selections.</summary>
        public (int Depth, long Complexity) SelectionSet(GraphQLSelectionSet? set, int depth)
        {
            if (set is null) return (depth, 0);
            var deepest = depth;
            long cost = 0;
            foreach (var selection in set.Selections)
            {
                (int Depth, long Complexity) child;
                switch (selection)
                {
                    case GraphQLField field:
                        child = Field(field, depth + 1);
                        break;
                    case GraphQLInlineFragment inline:
                        Directives += inline.Directives?.Items.Count ?? 0;
                        child = SelectionSet(inline.SelectionSet, depth);
                        break;
                    case GraphQLFragmentSpread spread:
                        Directives += spread.Directives?.Items.Count ?? 0;
                        var name = spread.FragmentName.Name.StringValue;
                        // A fragment that spreads itself is invalid anyway; the validator says so, here it just stops.
                        if (!fragments.TryGetValue(name, out var fragment) || !_expanding.Add(name)) continue;
                        child = SelectionSet(fragment.SelectionSet, depth);
                        _expanding.Remove(name);
                        break;
                    default:
                        continue;
                }

                deepest = Math.Max(deepest, child.Depth);
                cost += child.Complexity;
            }

            return (deepest, cost);
        }

        /// <summary>
        /// A field costs 1 and its children; a connection (a field with a page) costs 1 plus a page of its nodes'
        /// children, pageInfo once (graphql-ruby's connection complexity).
        /// </summary>
        private (int, long) Field(GraphQLField field, int depth)
        {
            if (field.Alias is not null) Aliases++;
            Directives += field.Directives?.Items.Count ?? 0;
            if (field.SelectionSet is null) return (depth, 1);
            if (!field.Name.StringValue.EndsWith("Connection", StringComparison.Ordinal))
            {
                var (d, c) = SelectionSet(field.SelectionSet, depth);
                return (d, 1 + c);
            }

            var page = PageSize(First(field));
            var deepest = depth;
            long cost = 1;
            foreach (var part in field.SelectionSet.Selections.OfType<GraphQLField>())
            {
                var (d, c) = Field(part, depth + 1);
                deepest = Math.Max(deepest, d);
                cost += part.Name.StringValue == "pageInfo" ? c : page * c;
            }

            return (deepest, cost);
        }

        private int? First(GraphQLField field)
        {
            var argument = field.Arguments?.Items.FirstOrDefault(a => a.Name.StringValue == "first");
            return argument?.Value switch
            {
                GraphQLIntValue i => int.Parse(i.Value.Span, CultureInfo.InvariantCulture),
                GraphQLVariable v when variables.TryGetValue(v.Name.StringValue,
                    out var value) && value is IConvertible n => n.ToInt32(CultureInfo.InvariantCulture),
                _ => null,
            };
        }
    }
}

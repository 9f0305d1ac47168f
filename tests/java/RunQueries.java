// Runs queries through pgJDBC the way a BI tool (Metabase, DataGrip, DBeaver ...) does, and
// prints what the driver reports, for tests/py/test_bi_clients.py.
//
//   java -cp DIR:/usr/share/java/postgresql.jar RunQueries JDBC_URL_PREFIX USER INPUT
//
// INPUT (UTF-8) holds items separated by U+001E; an item is fields separated by U+001F: the
// database name, then statements. Each item runs in a fresh connection to
// JDBC_URL_PREFIX + database (autocommit): every statement but the last is executed as session
// setup (e.g. SET TimeZone = 'UTC'), the last one is the query. For each item one JSON line
// goes to stdout (UTF-8):
//   {"columns": [{"name": ..., "type": ResultSetMetaData.getColumnTypeName, "sqltype": getColumnType}],
//    "rows": [[getString of each column, or null], ...], "error": null or the message}
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: RunQueries JDBC_URL_PREFIX USER INPUT");
            System.exit(2);
        }
        String prefix = args[0];
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("ApplicationName", "pg_operations test_bi_clients");
        String input = new String(Files.readAllBytes(Paths.get(args[2])), StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        for (String item : input.split("\u001e")) {
            if (item.trim().isEmpty()) continue;
            String[] fields = item.split("\u001f", -1);
            StringBuilder json = new StringBuilder();
            try (Connection conn = DriverManager.getConnection(prefix + fields[0], props);
                 Statement st = conn.createStatement()) {
                for (int i = 1; i < fields.length - 1; i++) st.execute(fields[i]);
                try (ResultSet rs = st.executeQuery(fields[fields.length - 1])) {
                    ResultSetMetaData md = rs.getMetaData();
                    int n = md.getColumnCount();
                    json.append("{\"columns\": [");
                    for (int c = 1; c <= n; c++) {
                        if (c > 1) json.append(", ");
                        json.append("{\"name\": ").append(quote(md.getColumnLabel(c)))
                            .append(", \"type\": ").append(quote(md.getColumnTypeName(c)))
                            .append(", \"sqltype\": ").append(md.getColumnType(c)).append('}');
                    }
                    json.append("], \"rows\": [");
                    boolean first = true;
                    while (rs.next()) {
                        json.append(first ? "[" : ", [");
                        first = false;
                        for (int c = 1; c <= n; c++) {
                            if (c > 1) json.append(", ");
                            json.append(quote(rs.getString(c)));
                        }
                        json.append(']');
                    }
                    json.append("], \"error\": null}");
                }
            } catch (SQLException e) {
                json.setLength(0);
                json.append("{\"columns\": [], \"rows\": [], \"error\": ")
                    .append(quote(e.getSQLState() + ": " + e.getMessage())).append('}');
            }
            out.println(json);
        }
        out.flush();
    }

    // A JSON string literal (or null).
    static String quote(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                    else b.append(ch);
            }
        }
        return b.append('"').toString();
    }
}

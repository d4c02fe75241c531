package io.kintsugi.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON writer's output is what a real parser reads back, whatever characters the strings hold. */
class JsonWriterTest {

    @Test
    void writesNestedDocumentsThatParseBack() {
        String tricky = "quote \" backslash \\ newline \n tab \t bell \u0007 nul \u0000 é ✓";
        String json = new JsonWriter().beginObject()
                .name("version").value(1)
                .name("text").value(tricky)
                .name("none").value((String) null)
                .name("yes").value(true)
                .name("empty").beginArray().endArray()
                .name("list").beginArray().value(1).value("two").beginObject().name("three").value(3).endObject()
                .endArray()
                .name("big").value(Long.MAX_VALUE)
                .endObject().toString();
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(1, o.get("version").getAsInt());
        assertEquals(tricky, o.get("text").getAsString());
        assertTrue(o.get("none").isJsonNull());
        assertTrue(o.get("yes").getAsBoolean());
        assertEquals(0, o.getAsJsonArray("empty").size());
        assertEquals(3, o.getAsJsonArray("list").size());
        assertEquals(3, o.getAsJsonArray("list").get(2).getAsJsonObject().get("three").getAsInt());
        assertEquals(Long.MAX_VALUE, o.get("big").getAsLong());
    }

    @Test
    void refusesMisuse() {
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().value(1));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginArray().name("x"));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().endArray());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().toString());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().value(1).value(2));
    }
}

using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core.Sigma;

namespace Gatehouse.Core.Tests.Sigma;

public sealed class SigmaMatchingTests
{
    private static SigmaRule Rule(string detection, string logsource = "product: windows") =>
        SigmaRuleParser.Parse($"""
            title: Test rule
            id: 11111111-2222-3333-4444-555555555555
            author: Test Author
            level: high
            tags:
                - attack.execution
                - attack.t1059.001
            logsource:
                {logsource}
            detection:
            {string.Join('\n', detection.Split('\n').Select(l => "    " + l))}
            """, "test.yml");

    private static bool Matches(SigmaRule rule, string json) => rule.Matches(new SigmaEvent(JsonNode.Parse(json)));

    private static bool Matches(string detection, string json) => Matches(Rule(detection), json);

    [Fact]
    public void Plain_values_match_whole_values_in_any_case()
    {
        const string detection = "selection:\n    Image: 'C:\\Windows\\System32\\cmd.exe'\ncondition: selection";
        Assert.True(Matches(detection, """{"Image":"c:\\windows\\system32\\CMD.EXE"}"""));
        Assert.False(Matches(detection, """{"Image":"c:\\windows\\system32\\cmd.exe.bak"}"""));
        Assert.False(Matches(detection, """{"Other":"c:\\windows\\system32\\cmd.exe"}"""));
    }

    [Fact]
    public void Contains_startswith_and_endswith_wrap_values_with_real_wildcards()
    {
        Assert.True(Matches("s:\n    TargetObject|contains: '\\Print\\Monitors\\'\ncondition: s", """{"TargetObject":"HKLM\\Control\\Print\\Monitors\\X"}"""));
        Assert.True(Matches("s:\n    CommandLine|startswith: 'powershell'\ncondition: s", """{"CommandLine":"PowerShell -enc AAA"}"""));
        Assert.False(Matches("s:\n    CommandLine|startswith: 'powershell'\ncondition: s", """{"CommandLine":"cmd /c powershell"}"""));
        Assert.True(Matches("s:\n    Image|endswith: '\\rundll32.exe'\ncondition: s", """{"Image":"C:\\Windows\\rundll32.exe"}"""));
    }

    [Fact]
    public void Wildcards_and_their_escapes()
    {
        Assert.True(Matches("s:\n    Image: 'C:\\Win*32\\cmd.e?e'\ncondition: s", """{"Image":"C:\\Windows\\System32\\cmd.exe"}"""));
        Assert.False(Matches("s:\n    Image: 'C:\\Win*32\\cmd.e?e'\ncondition: s", """{"Image":"C:\\Windows\\System32\\cmd.exxe"}"""));
        Assert.True(Matches("s:\n    Title: 'what\\?'\ncondition: s", """{"Title":"what?"}"""));
        Assert.False(Matches("s:\n    Title: 'what\\?'\ncondition: s", """{"Title":"whatx"}"""));
        Assert.True(Matches("s:\n    Title: 'star\\*'\ncondition: s", """{"Title":"star*"}"""));
        Assert.False(Matches("s:\n    Title: 'star\\*'\ncondition: s", """{"Title":"starry"}"""));
        Assert.True(Matches("s:\n    Path: '\\\\\\\\server\\share'\ncondition: s", """{"Path":"\\\\server\\share"}"""));
    }

    [Fact]
    public void Lists_are_alternatives_unless_all_is_given()
    {
        const string any = "s:\n    CommandLine|contains:\n        - ' -enc '\n        - ' -e '\ncondition: s";
        const string all = "s:\n    CommandLine|contains|all:\n        - ' -nop '\n        - ' -w hidden '\ncondition: s";
        Assert.True(Matches(any, """{"CommandLine":"powershell -e AAA"}"""));
        Assert.True(Matches(all, """{"CommandLine":"powershell -nop -w hidden -c x"}"""));
        Assert.False(Matches(all, """{"CommandLine":"powershell -nop -c x"}"""));
    }

    [Fact]
    public void A_list_of_maps_is_a_choice_of_selections()
    {
        const string detection = "s:\n    - Image|endswith: '\\a.exe'\n    - OriginalFileName: 'b.exe'\ncondition: s";
        Assert.True(Matches(detection, """{"OriginalFileName":"B.EXE"}"""));
        Assert.True(Matches(detection, """{"Image":"c:\\a.exe"}"""));
        Assert.False(Matches(detection, """{"Image":"c:\\b.exe"}"""));
    }

    [Fact]
    public void Regular_expressions_are_case_sensitive_unless_flagged()
    {
        Assert.True(Matches("s:\n    CommandLine|re: '-e(nc)? [A-Z]+'\ncondition: s", """{"CommandLine":"x -enc ABC"}"""));
        Assert.False(Matches("s:\n    CommandLine|re: '-E(NC)? [A-Z]+'\ncondition: s", """{"CommandLine":"x -enc ABC"}"""));
        Assert.True(Matches("s:\n    CommandLine|re|i: '-E(NC)? [A-Z]+'\ncondition: s", """{"CommandLine":"x -enc ABC"}"""));
        Assert.True(Matches("s:\n    Text|re|m: '^second$'\ncondition: s", """{"Text":"first\nsecond"}"""));
        Assert.True(Matches("s:\n    Text|re|s: 'first.second'\ncondition: s", """{"Text":"first\nsecond"}"""));
        Assert.False(Matches("s:\n    Text|re: 'first.second'\ncondition: s", """{"Text":"first\nsecond"}"""));
    }

    [Fact]
    public void Cidr_exists_comparisons_and_cased()
    {
        Assert.True(Matches("s:\n    DestinationIp|cidr: '10.0.0.0/8'\ncondition: s", """{"DestinationIp":"10.2.3.4"}"""));
        Assert.False(Matches("s:\n    DestinationIp|cidr: '10.0.0.0/8'\ncondition: s", """{"DestinationIp":"11.2.3.4"}"""));
        Assert.True(Matches("s:\n    DestinationIp|cidr: 'fe80::/10'\ncondition: s", """{"DestinationIp":"fe80::1"}"""));
        Assert.True(Matches("s:\n    Hashes|exists: true\ncondition: s", """{"Hashes":"x"}"""));
        Assert.True(Matches("s:\n    Image: x\n    Hashes|exists: false\ncondition: s", """{"Image":"x"}"""));
        Assert.True(Matches("s:\n    Port|gte: 1024\ncondition: s", """{"Port":8080}"""));
        Assert.False(Matches("s:\n    Port|lt: 1024\ncondition: s", """{"Port":8080}"""));
        Assert.False(Matches("s:\n    Port|gt: 1024\ncondition: s", """{"Port":"not a number"}"""));
        Assert.False(Matches("s:\n    Name|cased: 'Admin'\ncondition: s", """{"Name":"admin"}"""));
        Assert.True(Matches("s:\n    Name|cased: 'Admin'\ncondition: s", """{"Name":"Admin"}"""));
    }

    [Fact]
    public void Fieldref_compares_two_fields_of_the_event()
    {
        const string detection = "s:\n    ParentImage|fieldref: Image\ncondition: s";
        Assert.True(Matches(detection, """{"Image":"C:\\a.exe","ParentImage":"c:\\A.exe"}"""));
        Assert.False(Matches(detection, """{"Image":"C:\\a.exe","ParentImage":"c:\\b.exe"}"""));
        Assert.True(Matches("s:\n    CommandLine|fieldref|contains: Image\ncondition: s", """{"Image":"a.exe","CommandLine":"run a.exe now"}"""));
    }

    [Fact]
    public void Windash_accepts_every_windows_option_prefix()
    {
        const string detection = "s:\n    CommandLine|contains|windash: ' -decode '\ncondition: s";
        foreach (var prefix in new[] { "-", "/", "\u2013", "\u2014", "\u2015" })
        {
            Assert.True(Matches(detection, $$"""{"CommandLine":"certutil {{prefix}}decode a b"}"""), prefix);
        }
        Assert.False(Matches(detection, """{"CommandLine":"certutil +decode a b"}"""));
    }

    [Fact]
    public void Under_all_each_value_needs_a_match_but_any_of_its_variants_will_do()
    {
        const string detection = "s:\n    CommandLine|contains|all|windash:\n        - ' -urlcache '\n        - ' -f '\ncondition: s";
        Assert.True(Matches(detection, """{"CommandLine":"certutil /urlcache \u2013f http://x"}"""));
        Assert.False(Matches(detection, """{"CommandLine":"certutil /urlcache http://x"}"""));
    }

    [Fact]
    public void Long_lists_of_values_match_like_short_ones()
    {
        var hashes = Enumerable.Range(0, 50).Select(i => $"        - 'MD5={i:X32}'").ToList();
        var rule = Rule("s:\n    Hashes|contains:\n" + string.Join("\n", hashes) + "\ncondition: s");
        Assert.True(Matches(rule, $$"""{"Hashes":"SHA1=AA,md5={{7:x32}},IMPHASH=00"}"""));
        Assert.False(Matches(rule, """{"Hashes":"SHA1=AA,MD5=FFFF"}"""));
        var names = Enumerable.Range(0, 50).Select(i => $"        - 'tool{i}.exe'").ToList();
        var exact = Rule("s:\n    OriginalFileName:\n" + string.Join("\n", names) + "\ncondition: s");
        Assert.True(Matches(exact, """{"OriginalFileName":"TOOL42.EXE"}"""));
        Assert.False(Matches(exact, """{"OriginalFileName":"tool42.exe.bak"}"""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("xy")]
    public void Base64offset_finds_the_value_at_any_offset_of_a_base64_text(string before)
    {
        const string detection = "s:\n    CommandLine|base64offset|contains: 'IEX (New-Object'\ncondition: s";
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(before + "IEX (New-Object Net.WebClient)"));
        Assert.True(Matches(detection, $$"""{"CommandLine":"powershell -enc {{encoded}}"}"""));
        Assert.False(Matches(detection, """{"CommandLine":"powershell -enc SUVYIChOZXctT2JqZWN0"}""".Replace("SUVY", "QUFB")));
    }

    [Fact]
    public void Base64_and_utf16_encode_the_value_first()
    {
        var wide = Convert.ToBase64String(Encoding.Unicode.GetBytes("whoami"));
        Assert.True(Matches("s:\n    CommandLine|wide|base64|contains: 'whoami'\ncondition: s", $$"""{"CommandLine":"-e {{wide}}"}"""));
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes("whoami"));
        Assert.True(Matches("s:\n    Data|base64: 'whoami'\ncondition: s", $$"""{"Data":"{{plain}}"}"""));
    }

    [Fact]
    public void Null_means_absent_or_null_and_empty_means_empty()
    {
        Assert.True(Matches("s:\n    Image: x\n    OriginalFileName: null\ncondition: s", """{"Image":"x"}"""));
        Assert.True(Matches("s:\n    OriginalFileName: null\ncondition: s", """{"OriginalFileName":null}"""));
        Assert.False(Matches("s:\n    OriginalFileName: null\ncondition: s", """{"OriginalFileName":"a.exe"}"""));
        Assert.True(Matches("s:\n    OriginalFileName: ''\ncondition: s", """{"OriginalFileName":""}"""));
        Assert.False(Matches("s:\n    OriginalFileName: ''\ncondition: s", """{"OriginalFileName":"a"}"""));
    }

    [Fact]
    public void Keywords_search_every_string_of_the_event()
    {
        const string detection = "keywords:\n    - 'no dot1x port-control'\n    - 'dot1x system-auth-control'\ncondition: keywords";
        Assert.True(Matches(detection, """{"message":"User:admin logged command:no dot1x port-control"}"""));
        Assert.False(Matches(detection, """{"message":"show running-config"}"""));
        const string all = "keywords:\n    '|all':\n        - 'alpha'\n        - 'beta'\ncondition: keywords";
        Assert.True(Matches(all, """{"a":"alpha","b":{"c":"the beta"}}"""));
        Assert.False(Matches(all, """{"a":"alpha"}"""));
    }

    [Theory]
    [InlineData("a and b", true, false, false)]
    [InlineData("a or b", true, true, false)]
    [InlineData("a and not b", false, false, false)]
    [InlineData("not a", false, false, false)]
    [InlineData("(a or b) and not c", true, true, false)]
    [InlineData("a or b and c", true, false, false)]
    [InlineData("1 of sel_*", true, true, false)]
    [InlineData("all of sel_*", true, false, false)]
    [InlineData("1 of them", true, true, true)]
    [InlineData("all of them", false, false, false)]
    [InlineData("not 1 of sel_* and c", false, false, true)]
    public void Conditions_combine_selections(string condition, bool withAandB, bool withBOnly, bool withCOnly)
    {
        var rule = Rule($"a:\n    A: '1'\nb:\n    B: '1'\nc:\n    C: '1'\nsel_a:\n    A: '1'\nsel_b:\n    B: '1'\ncondition: {condition}");
        Assert.Equal(withAandB, Matches(rule, """{"A":"1","B":"1"}"""));
        Assert.Equal(withBOnly, Matches(rule, """{"B":"1"}"""));
        Assert.Equal(withCOnly, Matches(rule, """{"C":"1"}"""));
    }

    [Fact]
    public void Underscore_selections_are_not_part_of_them()
    {
        var rule = Rule("a:\n    A: '1'\n_helper:\n    H: '1'\ncondition: all of them");
        Assert.True(Matches(rule, """{"A":"1"}"""));
    }

    [Fact]
    public void Fields_resolve_by_leaf_name_attribute_name_and_data_model_alias()
    {
        var rule = Rule("s:\n    Provider_Name: 'Service Control Manager'\n    EventID: 7045\n    ImagePath|contains: 'evil'\ncondition: s");
        var evt = """{"Event":{"System":{"Provider":{"#attributes":{"Name":"Service Control Manager"}},"EventID":7045},"EventData":{"ImagePath":"C:\\evil.exe"}}}""";
        Assert.True(Matches(rule, evt));
        var byAlias = Rule("s:\n    CommandLine|contains: 'mimikatz'\ncondition: s");
        Assert.True(byAlias.Matches(new SigmaEvent(JsonNode.Parse("{}"), new Dictionary<string, string> { ["Command Line"] = "run mimikatz.exe" })));
        Assert.True(Matches(Rule("s:\n    EventData.ImagePath|contains: 'evil'\ncondition: s"), evt));
        Assert.True(Matches(Rule("s:\n    EventID: 4688\ncondition: s"), """{"Event":{"System":{"EventID":{"#text":4688}}}}"""));
    }

    [Fact]
    public void Log_sources_keep_windows_rules_off_linux_and_categories_apart()
    {
        var processCreation = Rule("s:\n    Image|endswith: '\\cmd.exe'\ncondition: s", "product: windows\n    category: process_creation");
        var sysmon = SigmaLogSource.EventSource.Of(new SigmaEvent(JsonNode.Parse("""{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1}""")));
        var fileEvent = SigmaLogSource.EventSource.Of(new SigmaEvent(JsonNode.Parse("""{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":11}""")));
        var security4688 = SigmaLogSource.EventSource.Of(new SigmaEvent(JsonNode.Parse("""{"Channel":"Security","EventID":4688}""")));
        Assert.True(processCreation.LogSource.Accepts(sysmon));
        Assert.True(processCreation.LogSource.Accepts(security4688));
        Assert.False(processCreation.LogSource.Accepts(fileEvent));
        Assert.False(processCreation.LogSource.Accepts(SigmaLogSource.EventSource.Unknown));
        Assert.True(new SigmaLogSource(null, null, null).Accepts(SigmaLogSource.EventSource.Unknown));
        Assert.False(new SigmaLogSource("linux", "process_creation", null).Accepts(sysmon));
        Assert.False(new SigmaLogSource("windows", null, "security").Accepts(sysmon));
        Assert.True(new SigmaLogSource("windows", null, "sysmon").Accepts(sysmon));
    }

    [Theory]
    [InlineData("s:\n    Image|expand: '%x%'\ncondition: s", "unsupported modifier 'expand'")]
    [InlineData("s:\n    Image: 'a'\ncondition: s | count() > 5", "aggregation")]
    [InlineData("s:\n    Image: 'a'\ncondition: missing", "'missing', which is not defined")]
    [InlineData("s:\n    Image: 'a'\ncondition: (s", "not closed")]
    [InlineData("s:\n    Image|re: '(unclosed'\ncondition: s", "regular expression")]
    [InlineData("s:\n    Ip|cidr: 'not-a-range'\ncondition: s", "CIDR")]
    [InlineData("s:\n    Image|i: 'a'\ncondition: s", "'re' modifier")]
    public void Rules_that_cannot_compile_say_why(string detection, string reason)
    {
        var error = Assert.Throws<SigmaRuleException>(() => Rule(detection));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Loading_a_folder_skips_and_lists_what_it_cannot_compile()
    {
        var folder = Directory.CreateTempSubdirectory("sigma-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "good.yml"), "title: Good\nid: a\nauthor: Someone\nlogsource:\n    product: windows\ndetection:\n    s:\n        Image: x\n    condition: s\n");
            File.WriteAllText(Path.Combine(folder.FullName, "bad.yml"), "title: Bad\nid: b\ndetection:\n    s:\n        Image|expand: x\n    condition: s\n");
            File.WriteAllText(Path.Combine(folder.FullName, "broken.yaml"), "title: [unclosed\n");
            File.WriteAllText(Path.Combine(folder.FullName, "twin.yml"), "title: Twin\nid: a\ndetection:\n    s:\n        Image: y\n    condition: s\n");
            File.WriteAllText(Path.Combine(folder.FullName, "notes.txt"), "not a rule");
            var rules = SigmaRuleSet.Load(folder.FullName);
            Assert.Equal(["a"], rules.Rules.Select(r => r.Id));
            Assert.Equal(["bad.yml", "broken.yaml", "twin.yml"], rules.Skipped.Select(s => s.Path).Order());
            Assert.Contains(rules.Skipped, s => s.Path == "broken.yaml" && s.Reason.Contains("YAML"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_match_explains_itself_and_names_its_techniques()
    {
        var rule = Rule("s:\n    Image|endswith: '\\cmd.exe'\n    CommandLine|contains: 'whoami'\nf:\n    User: 'SYSTEM'\ncondition: s and not f");
        var evt = new SigmaEvent(JsonNode.Parse("""{"Image":"C:\\cmd.exe","CommandLine":"cmd /c whoami","User":"bob"}"""));
        Assert.Equal(["T1059.001"], rule.Techniques);
        Assert.Equal([new SigmaWitness("Image", "C:\\cmd.exe"), new SigmaWitness("CommandLine", "cmd /c whoami")], rule.Explain(evt));
        Assert.Equal("Test Author", rule.Author);
    }

    // Regression (detection on real telemetry): a Zeek rule whose condition is "not selection" fired on every event.
    [Fact]
    public void A_condition_met_by_absent_fields_never_fires_on_an_event_without_any_of_the_rules_fields()
    {
        var rule = Rule("selection:\n    service: 'rdp'\ncondition: not selection", "product: zeek\n    service: rdp");
        var zeek = new SigmaLogSource("zeek", null, "rdp");

        Assert.False(rule.Matches(new SigmaEvent(JsonNode.Parse("""{"EventID":4624,"LogonType":10}"""))));
        Assert.True(rule.Matches(new SigmaEvent(JsonNode.Parse("""{"service":"ssh"}"""))));
        Assert.False(rule.LogSource.Accepts(SigmaLogSource.EventSource.Unknown));
        Assert.True(rule.LogSource.Accepts(SigmaLogSource.EventSource.Of(new SigmaEvent(JsonNode.Parse("""{"service":"ssh"}""")), zeek)));
    }

    [Theory]
    [InlineData("product: cisco\n    service: aaa", false)]
    [InlineData("product: linux\n    category: process_creation", false)]
    [InlineData("category: webserver", true)]
    public void An_event_of_unknown_source_is_tested_only_against_rules_without_a_product(string logSource, bool tested) =>
        Assert.Equal(tested, Rule("keywords:\n    - 'x'\ncondition: keywords", logSource).LogSource.Accepts(SigmaLogSource.EventSource.Unknown));

    // Regression (red team): a chat message with nested "channel" and "eventid" fields became a Windows Security event.
    [Fact]
    public void Only_a_recognised_Windows_shape_makes_an_event_Windows_and_another_products_declaration_wins()
    {
        var chat = new SigmaEvent(JsonNode.Parse("""{"message":{"channel":"security","eventid":4624,"user":"alice"},"detail":{"LogonType":"3"}}"""));
        var nxlog = new SigmaEvent(JsonNode.Parse("""{"Channel":"Security","EventID":4624}"""));

        Assert.Null(SigmaLogSource.EventSource.Of(chat).Product);
        Assert.Equal("linux", SigmaLogSource.EventSource.Of(chat, new SigmaLogSource("linux", null, null)).Product);
        Assert.Equal("windows", SigmaLogSource.EventSource.Of(nxlog).Product);
        Assert.Equal("linux", SigmaLogSource.EventSource.Of(nxlog, new SigmaLogSource("linux", null, null)).Product);
        Assert.Equal("windows", SigmaLogSource.EventSource.Of(nxlog, new SigmaLogSource("windows", "process_creation", null)).Product);
    }
}

# The ninth batch's Rakefile: a task whose prerequisite raises.
class ManifestError < StandardError; end

def parse_entry(v)
  Integer(v)
rescue ArgumentError
  raise ManifestError, "cannot load manifest entry #{v}"
end

task :manifest, [:entry] do |_t, args|
  parse_entry(args[:entry])
end

task :deploy, [:entry] => :manifest do
  puts 'deployed'
end

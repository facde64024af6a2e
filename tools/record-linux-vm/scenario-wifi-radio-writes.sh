# Guest scenario (sourced by record.sh's init, which gives `rec`): the Device.WiFi. writes that
# need hostapd's radio restarted or its access lists (hostapd 2.10, nl80211, mac80211_hwsim).
# Same two APs as scenario-wifi.sh (wlan0: 2.4 GHz WPA2-Personal ch 6, wlan1: 5 GHz WPA3-Personal
# ch 36), no stations. Reads first (so a replay can serve the whole tree), then: group rekeying,
# the MAC address access list, RADIUS server keys, the band, country, automatic channel
# selection and the HT40 extension channel (keys `set`, then the hostapd interface `disable` and
# `enable`: `reload` keeps the channel it runs), `iw` bitrate masks, WEP keys, and last the bitrate masks of MCS and guard interval.
modprobe mac80211_hwsim radios=2
ip link set lo up
rec iw-reg-set iw reg set DE
sleep 1
. /wifi-aps.sh
rec hostapd-start-wlan0 hostapd -B -P /run/hostapd-wlan0.pid /tmp/ap-wlan0.conf
rec hostapd-start-wlan1 hostapd -B -P /run/hostapd-wlan1.pid /tmp/ap-wlan1.conf
sleep 5
H="hostapd_cli -p /run/hostapd"

# The reads of the whole tree.
whole_tree_reads
rec hapd-wlan0-accept-show $H -i wlan0 accept_acl SHOW
rec hapd-wlan0-deny-show $H -i wlan0 deny_acl SHOW

# AccessPoint: group key rekeying every 600 s.
rec hapd-wlan0-set-rekey $H -i wlan0 set wpa_group_rekey 600
rec hapd-wlan0-reload-rekey $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-rekey $H -i wlan0 status
# MAC address access: accept list on, two addresses, shown, one taken out, cleared, off.
rec hapd-wlan0-set-acl-on $H -i wlan0 set macaddr_acl 1
rec hapd-wlan0-accept-clear $H -i wlan0 accept_acl CLEAR
rec hapd-wlan0-accept-add-1 $H -i wlan0 accept_acl ADD_MAC 02:00:00:00:aa:01
rec hapd-wlan0-accept-add-2 $H -i wlan0 accept_acl ADD_MAC 02:00:00:00:aa:02
rec hapd-wlan0-reload-acl $H -i wlan0 reload
sleep 3
rec hapd-wlan0-accept-show-2 $H -i wlan0 accept_acl SHOW
rec hapd-wlan0-status-acl $H -i wlan0 status
rec hapd-wlan0-accept-add-bad $H -i wlan0 accept_acl ADD_MAC 02:00:00:00:aa
rec hapd-wlan0-accept-clear-2 $H -i wlan0 accept_acl CLEAR
rec hapd-wlan0-accept-add-3 $H -i wlan0 accept_acl ADD_MAC 02:00:00:00:aa:02
rec hapd-wlan0-reload-acl-2 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-accept-show-3 $H -i wlan0 accept_acl SHOW
rec hapd-wlan0-set-acl-off $H -i wlan0 set macaddr_acl 0
rec hapd-wlan0-accept-clear-3 $H -i wlan0 accept_acl CLEAR
rec hapd-wlan0-reload-acl-3 $H -i wlan0 reload
sleep 3
rec hapd-wlan0-accept-show-4 $H -i wlan0 accept_acl SHOW
# RADIUS (WPA2-Enterprise): the server's address, port and secret, then the mode, then back.
rec hapd-wlan0-set-radius-addr $H -i wlan0 set auth_server_addr 192.0.2.10
rec hapd-wlan0-set-radius-port $H -i wlan0 set auth_server_port 1645
rec hapd-wlan0-set-radius-secret $H -i wlan0 set auth_server_shared_secret radius-secret
rec hapd-wlan0-set-8021x $H -i wlan0 set ieee8021x 1
rec hapd-wlan0-set-eap-mgmt $H -i wlan0 set wpa_key_mgmt WPA-EAP
rec hapd-wlan0-reload-eap $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-eap $H -i wlan0 status
rec hapd-wlan0-get-config-eap $H -i wlan0 get_config
rec hapd-wlan0-set-8021x-off $H -i wlan0 set ieee8021x 0
rec hapd-wlan0-set-psk-mgmt $H -i wlan0 set wpa_key_mgmt WPA-PSK
rec hapd-wlan0-reload-psk $H -i wlan0 reload
sleep 3
rec hapd-wlan0-get-config-psk $H -i wlan0 get_config

# Radio: wlan0 (phy0) to 5 GHz channel 36 and back to 2.4 GHz channel 6.
rec hapd-wlan0-set-hw-mode-a $H -i wlan0 set hw_mode a
rec hapd-wlan0-set-channel-36 $H -i wlan0 set channel 36
rec hapd-wlan0-disable-band $H -i wlan0 disable
rec hapd-wlan0-enable-band $H -i wlan0 enable
sleep 4
rec hapd-wlan0-status-5g $H -i wlan0 status
rec hapd-wlan0-get-config-5g $H -i wlan0 get_config
rec iw-wlan0-info-5g iw dev wlan0 info
rec hapd-wlan0-set-hw-mode-g $H -i wlan0 set hw_mode g
rec hapd-wlan0-set-channel-6 $H -i wlan0 set channel 6
rec hapd-wlan0-disable-band-2 $H -i wlan0 disable
rec hapd-wlan0-enable-band-2 $H -i wlan0 enable
sleep 4
rec hapd-wlan0-status-24g $H -i wlan0 status
rec iw-wlan0-info-24g iw dev wlan0 info
# Radio: the country (every radio's regulatory domain: one kernel setting), FR, then DE again.
rec hapd-wlan0-set-country-fr $H -i wlan0 set country_code FR
rec hapd-wlan0-set-country3-indoor $H -i wlan0 set country3 0x49
rec hapd-wlan0-disable-country $H -i wlan0 disable
rec hapd-wlan0-enable-country $H -i wlan0 enable
sleep 4
rec hapd-wlan0-status-fr $H -i wlan0 status
rec hapd-wlan0-get-config-fr $H -i wlan0 get_config
rec iw-reg-get-fr iw reg get
rec hapd-wlan0-set-country-bad $H -i wlan0 set country_code X
rec hapd-wlan0-set-country-de $H -i wlan0 set country_code DE
rec hapd-wlan0-set-country3-all $H -i wlan0 set country3 0x20
rec hapd-wlan0-disable-country-2 $H -i wlan0 disable
rec hapd-wlan0-enable-country-2 $H -i wlan0 enable
sleep 4
rec hapd-wlan0-status-de $H -i wlan0 status
rec iw-reg-get-de iw reg get
# Radio: automatic channel selection (channel 0: hostapd's ACS surveys the channels), then channel 6.
rec hapd-wlan0-set-channel-acs $H -i wlan0 set channel 0
rec hapd-wlan0-disable-acs $H -i wlan0 disable
rec hapd-wlan0-enable-acs $H -i wlan0 enable
sleep 2
rec hapd-wlan0-status-acs-running $H -i wlan0 status
sleep 15
rec hapd-wlan0-status-acs $H -i wlan0 status
rec hapd-wlan0-get-config-acs $H -i wlan0 get_config
rec iw-wlan0-info-acs iw dev wlan0 info
rec hapd-wlan0-set-channel-6-again $H -i wlan0 set channel 6
rec hapd-wlan0-disable-acs-off $H -i wlan0 disable
rec hapd-wlan0-enable-acs-off $H -i wlan0 enable
sleep 4
rec hapd-wlan0-status-acs-off $H -i wlan0 status
# Radio: a fixed MCS on wlan0 (its bitrate mask) and all rates again.
rec iw-wlan0-set-mcs-7 iw dev wlan0 set bitrates ht-mcs-2.4 7
rec iw-wlan0-set-mcs-auto iw dev wlan0 set bitrates
# Radio: wlan1 (5 GHz, 36) on 40 MHz with the extension channel above, then with short guard intervals.
rec hapd-wlan1-set-ht40-plus $H -i wlan1 set ht_capab [HT40+]
rec hapd-wlan1-disable-ht40 $H -i wlan1 disable
rec hapd-wlan1-enable-ht40 $H -i wlan1 enable
sleep 4
rec hapd-wlan1-status-ht40 $H -i wlan1 status
rec iw-wlan1-info-ht40 iw dev wlan1 info
rec hapd-wlan1-set-ht40-sgi $H -i wlan1 set ht_capab [HT40+][SHORT-GI-20][SHORT-GI-40]
rec hapd-wlan1-disable-sgi $H -i wlan1 disable
rec hapd-wlan1-enable-sgi $H -i wlan1 enable
sleep 4
rec hapd-wlan1-status-sgi $H -i wlan1 status
rec hapd-wlan1-set-ht20 $H -i wlan1 set ht_capab ""
rec hapd-wlan1-disable-ht20 $H -i wlan1 disable
rec hapd-wlan1-enable-ht20 $H -i wlan1 enable
sleep 4
rec hapd-wlan1-status-ht20 $H -i wlan1 status
rec iw-wlan1-info-ht20 iw dev wlan1 info
# Radio: a fixed MCS (the bitrate mask of the interface) and back to all rates.
rec iw-wlan1-set-mcs-5 iw dev wlan1 set bitrates ht-mcs-5 5 vht-mcs-5
rec iw-wlan1-set-mcs-auto iw dev wlan1 set bitrates
# Last, as hostapd keeps a key it then refuses (its configuration check fails from then on):
# a WEP key while WPA2 runs (refused), then WEP itself (wpa 0 and the key), reloaded.
rec hapd-wlan0-set-wep-in-wpa $H -i wlan0 set wep_key0 0123456789
rec hapd-wlan0-reload-wep-in-wpa $H -i wlan0 reload
rec hapd-wlan0-set-wep-open $H -i wlan0 set wpa 0
rec hapd-wlan0-set-wep-default $H -i wlan0 set wep_default_key 0
rec hapd-wlan0-reload-wep $H -i wlan0 reload
sleep 3
rec hapd-wlan0-status-wep $H -i wlan0 status
rec hapd-wlan0-get-config-wep $H -i wlan0 get_config
# The radios' bitrate masks (fixed MCS, guard interval): one `set bitrates` replaces the whole mask.
rec iw-wlan1-set-mcs-7-sgi iw dev wlan1 set bitrates ht-mcs-5 7 vht-mcs-5 sgi-5
rec iw-wlan1-set-lgi iw dev wlan1 set bitrates lgi-5
rec iw-wlan1-set-mcs-15 iw dev wlan1 set bitrates ht-mcs-5 15 vht-mcs-5
rec iw-wlan1-set-mcs-33 iw dev wlan1 set bitrates ht-mcs-5 33 vht-mcs-5
rec iw-wlan1-set-all iw dev wlan1 set bitrates
rec iw-wlan1-info-bitrates iw dev wlan1 info
rec iw-phy1-info-bitrates iw phy phy1 info
